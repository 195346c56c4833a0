// A platform's shared view: the tree of its cameras with their codes (assigned and stored on
// first use), and the Catalog items (GB/T 28181 A.2.6.4) the upper side is answered with.
import type { CascadePlatformConfig } from '../../config/schema/cascade.js';
import type { CatalogItem } from '../../protocols/gb28181/index.js';
import type { CascadeCodeStore } from '../../store/cascadeCodes.js';
import { assignCodes, checkManualCode, toSegment, type CodeProblem } from './codes.js';
import type { CameraListPort, CameraStatePort, CascadeCamera } from './ports.js';
import { buildTree, sharedCameras, type TreeNode } from './tree.js';

export interface CodedNode extends TreeNode {
  code: string;
  /** The code of the nearest coded ancestor, or the gateway's own id at the top. */
  parentCode: string;
}

export interface SharedView {
  nodes: CodedNode[];
  problems: CodeProblem[];
  /** channel code → camera. */
  byCode: Map<string, CascadeCamera>;
  /** cameraNum → channel code. */
  codeOf: Map<string, string>;
}

const treeOf = (platform: CascadePlatformConfig, cameras: CameraListPort) => buildTree(sharedCameras(cameras.cameras(), platform), platform.tree, platform.node_names);

export function sharedView(platform: CascadePlatformConfig, cameras: CameraListPort, store: CascadeCodeStore, now = Date.now()): SharedView {
  const tree = treeOf(platform, cameras);
  const assigned = assignCodes(platform.name, tree, platform.segments.map(toSegment), store.forPlatform(platform.name), now);
  if (assigned.fresh.length > 0) store.put(assigned.fresh);
  const byKey = new Map(tree.map((n) => [n.key, n]));
  const parentCode = (n: TreeNode): string => {
    for (let p = n.parentKey; p; p = byKey.get(p)?.parentKey ?? null) {
      const code = assigned.codes.get(p);
      if (code) return code;
    }
    return platform.local_id;
  };
  const nodes: CodedNode[] = [];
  const byCode = new Map<string, CascadeCamera>();
  const codeOf = new Map<string, string>();
  for (const n of tree) {
    const code = assigned.codes.get(n.key);
    if (!code) continue;
    nodes.push({ ...n, code, parentCode: parentCode(n) });
    if (n.camera) {
      byCode.set(code, n.camera);
      codeOf.set(n.camera.record.cameraNum, code);
    }
  }
  return { nodes, problems: assigned.problems, byCode, codeOf };
}

/** GB/T 28181 A.2.6.4 PTZType: 1 dome, 3 fixed box (province cameraType 2 is a dome). */
const ptzTypeOf = (cam: CascadeCamera) => (cam.record.cameraType === 2 ? 1 : 3);

export function catalogItem(node: CodedNode, platform: CascadePlatformConfig, state: CameraStatePort): CatalogItem {
  if (!node.camera) {
    // A virtual organization node (216): its parent is another node or the gateway (2016 §A.2.6.4 note).
    return { deviceId: node.code, name: node.name, parentId: node.parentCode, extra: {} };
  }
  const r = node.camera.record;
  const [lng, lat] = r.longAndLati.split('/').map(Number);
  return {
    deviceId: node.code,
    name: node.name,
    manufacturer: platform.manufacturer,
    model: platform.model,
    owner: r.department,
    civilCode: String(r.areaCode),
    address: r.pileNum,
    parental: 0,
    parentId: node.parentCode,
    status: state.isOnline(r.cameraNum) === true ? 'ON' : 'OFF',
    ...(Number.isFinite(lng) ? { longitude: lng } : {}),
    ...(Number.isFinite(lat) ? { latitude: lat } : {}),
    ptzType: ptzTypeOf(node.camera),
    extra: {},
  };
}

/**
 * Sets a node's code by hand (`manual`, never moved by the automatic assignment), after the same
 * checks as automatic codes. Codes missing elsewhere in the tree are assigned first, so that the
 * duplicate check sees the whole tree. Returns what is wrong, each naming the code and rule.
 */
export function setManualCode(platform: CascadePlatformConfig, cameras: CameraListPort, store: CascadeCodeStore, nodeKey: string, code: string, now = Date.now()): { ok: true } | { ok: false; error: string } {
  const node = treeOf(platform, cameras).find((n) => n.key === nodeKey);
  if (!node) return { ok: false, error: `NODE_KEY: no node ${JSON.stringify(nodeKey)} in the tree shared with ${platform.name} (the keys: vcgw cascade channels ${platform.name} --json)` };
  sharedView(platform, cameras, store, now);
  const problems = checkManualCode(code, node, platform.segments.map(toSegment), store.forPlatform(platform.name));
  if (problems.length > 0) return { ok: false, error: problems.map((p) => `CODE ${p.code || code} breaks rule ${p.rule}: ${p.message}`).join('\n') };
  store.put([{ platform: platform.name, nodeKey, code, manual: true, assignedAt: now }]);
  return { ok: true };
}
