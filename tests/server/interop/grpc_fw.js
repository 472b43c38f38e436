// FirmwareService, DeviceService.WatchDevices and DataService.Stream through
// Node's @grpc/grpc-js: uploads (good and bad signatures), reads, SetFirmware,
// delete, the two server streams, roles and another organization.
// Prints {step: {code, res|details|items}}; grpc_test.py asserts.
// usage: node grpc_fw.js ADDRESS PROTO_DIR ADMIN_TOKEN VIEWER_KEY OTHER_ORG_TOKEN DEVICE_ID IMAGE_FILE SIG BAD_SIG
const fs = require("fs");
const path = require("path");
const grpc = require("@grpc/grpc-js");
const loader = require("@grpc/proto-loader");

const [addr, protoDir, admin, viewer, other, dev, imageFile, sig, badSig] = process.argv.slice(2);
const def = loader.loadSync(path.join(protoDir, "fleet/v1/fleet.proto"), {
  includeDirs: [protoDir], keepCase: true, longs: String, enums: String, defaults: true,
});
const v1 = grpc.loadPackageDefinition(def).fleet.v1;
const creds = grpc.credentials.createInsecure();
const svc = {};
for (const name of ["FirmwareService", "DeviceService", "DataService"]) svc[name] = new v1[name](addr, creds);

function md(token) {
  const m = new grpc.Metadata();
  if (token) m.add("authorization", "Bearer " + token);
  return m;
}

function call(service, method, req, token) {
  return new Promise((resolve) => {
    svc[service][method](req, md(token), { deadline: Date.now() + 10000 }, (err, res) => {
      resolve(err ? { code: grpc.status[err.code], details: err.details } : { code: "OK", res });
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// UploadFirmware is client streaming: writes each request message, then ends.
function upload(reqs, token) {
  return new Promise((resolve) => {
    const st = svc.FirmwareService.UploadFirmware(md(token), { deadline: Date.now() + 10000 }, (err, res) => {
      resolve(err ? { code: grpc.status[err.code], details: err.details } : { code: "OK", res });
    });
    for (const r of reqs) st.write(r);
    st.end();
  });
}

// The image in pieces of `size` bytes, the fields in the first message.
function pieces(fields, image, size) {
  const out = [];
  for (let i = 0; i < image.length; i += size) out.push(Object.assign(i ? {} : fields, { image: image.subarray(i, i + size) }));
  return out;
}

// Opens a server stream; returns {items, st, wait(pred, ms), result()}.
function open(service, method, req, token) {
  const items = [];
  let end = null;
  const waiters = [];
  const st = svc[service][method](req, md(token));
  const poke = () => { for (const w of waiters.splice(0)) w(); };
  st.on("data", (it) => { items.push(it); poke(); });
  st.on("error", (err) => { end = { code: grpc.status[err.code], details: err.details }; poke(); });
  st.on("end", () => { end = end || { code: "END" }; poke(); });
  return {
    items, st,
    async wait(pred, ms) {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = items.find(pred);
        if (hit || end || Date.now() >= deadline) return hit || null;
        await new Promise((r) => { waiters.push(r); setTimeout(r, Math.max(1, deadline - Date.now())); });
      }
    },
    end: () => end,
    close() { st.cancel(); },
  };
}

(async () => {
  const o = {};
  const image = fs.readFileSync(imageFile);
  const F = "FirmwareService";
  o.upload_bad_sig = await upload([{ version: "2.0.0", target: "posix-sim", sig: badSig, image }], admin);
  o.upload_viewer = await upload([{ version: "2.0.0", target: "posix-sim", sig, image }], viewer);
  o.upload_bad_target = await upload([{ version: "2.0.0", target: "z80", sig, image }], admin);
  o.upload_none = await upload([], admin);
  o.upload_too_big = await upload(pieces({ version: "2.0.9", target: "posix-sim", sig }, Buffer.alloc(9 << 20), 1 << 20), admin);
  // The image in 7 pieces, the fields in the first message only.
  o.upload = await upload(pieces({ version: "2.0.0", target: "posix-sim", sig, notes: "over gRPC" }, image, 2000), admin);
  o.upload_spec = await upload([{ spec_json: JSON.stringify({ version: "2.0.1", target: "posix-sim", sig }), image }], admin);
  o.upload_dup = await upload([{ version: "2.0.0", target: "posix-sim", sig, image }], admin);
  o.list = await call(F, "ListFirmware", {}, viewer);
  o.list_target = await call(F, "ListFirmware", { target: "esp32" }, viewer);
  const id = o.upload.res ? o.upload.res.id : "00000000-0000-4000-8000-000000000000";
  o.get = await call(F, "GetFirmware", { id }, viewer);
  o.get_version = await call(F, "GetFirmware", { id: "2.0.0" }, viewer);
  o.get_missing = await call(F, "GetFirmware", { id: "9.9.9" }, viewer);
  o.get_other = await call(F, "GetFirmware", { id }, other);
  o.list_other = await call(F, "ListFirmware", {}, other);

  // WatchDevices: snapshot first, then a change made by SetFirmware's goal
  // change is not a device field, so rename the device to see `changed`.
  const w = open("DeviceService", "WatchDevices", {}, viewer);
  const wq = open("DeviceService", "WatchDevices", { q: "name=nobody" }, viewer);
  const wo = open("DeviceService", "WatchDevices", {}, other);
  const snap = await w.wait((c) => c.type === "snapshot", 5000);
  await w.wait((c) => c.type === "added", 5000);
  o.set = await call(F, "SetFirmware", { target_json: JSON.stringify({ device: dev }), version: "2.0.0" }, admin);
  o.set_viewer = await call(F, "SetFirmware", { target_json: JSON.stringify({ device: dev }), version: "2.0.0" }, viewer);
  o.set_other = await call(F, "SetFirmware", { target_json: JSON.stringify({ device: dev }), version: "2.0.0" }, other);
  o.set_bad = await call(F, "SetFirmware", { target_json: "{", version: "2.0.0" }, admin);
  // A release that only replaces 9.0 or later: a query leaves the device out.
  o.upload_min = await upload([{ version: "2.0.2", target: "posix-sim", sig, image, min_from_version: "9.0" }], admin);
  o.set_min = await call(F, "SetFirmware", { target_json: JSON.stringify({ query: "id=" + dev }), version: "2.0.2" }, admin);
  o.delete_min = await call(F, "DeleteFirmware", { id: "2.0.2" }, admin); // unused: nobody took it
  const before = w.items.length;
  o.rename = await call("DeviceService", "UpdateDevice", { id: dev, name: "watched" }, admin);
  const changed = await w.wait((c) => c.type === "changed" && c.device.name === "watched", 5000);
  o.watch = { code: w.end() ? w.end().code : "OK", snapshot: snap, first: w.items[0], changed, before };
  await wq.wait((c) => c.type === "snapshot", 5000);
  o.watch_query = { items: wq.items };
  await wo.wait((c) => c.type === "snapshot", 5000);
  await sleep(300);
  o.watch_other = { items: wo.items };
  w.close(); wq.close(); wo.close();
  const wbad = open("DeviceService", "WatchDevices", { q: "name ~ " }, viewer);
  await wbad.wait(() => false, 3000);
  o.watch_bad = wbad.end();
  const wanon = open("DeviceService", "WatchDevices", {}, null);
  await wanon.wait(() => false, 3000);
  o.watch_anon = wanon.end();

  o.delete_in_use = await call(F, "DeleteFirmware", { id }, admin);
  o.delete_viewer = await call(F, "DeleteFirmware", { id: "2.0.1" }, viewer);
  o.delete_other = await call(F, "DeleteFirmware", { id: "2.0.1" }, other);
  o.delete = await call(F, "DeleteFirmware", { id: "2.0.1" }, admin);

  // Stream: flow control with max_inflight 2.
  const D = "DataService";
  o.sub = await call(D, "CreateSubscription", { name: "fw-stream", topic: "fw/s" }, admin);
  for (let i = 0; i < 3; i++) await call(D, "Publish", { topic: "fw/s", data: Buffer.from("m" + i) }, admin);
  const s = open(D, "Stream", { name: "fw-stream", max_inflight: 2 }, admin);
  await s.wait((m, i) => s.items.length >= 2, 5000);
  await sleep(600);
  const held = s.items.length;
  o.ack = await call(D, "Acknowledge", { name: "fw-stream", ids: s.items.map((m) => m.id) }, admin);
  await s.wait(() => s.items.length >= 3, 5000);
  o.stream = { held, items: s.items.map((m) => Buffer.from(m.data).toString()), end: s.end() };
  s.close();
  const so = open(D, "Stream", { name: "fw-stream" }, other);
  await so.wait(() => false, 3000);
  o.stream_other = so.end();
  const sv = open(D, "Stream", { name: "fw-stream" }, viewer);
  await sv.wait(() => false, 3000);
  o.stream_viewer = sv.end();
  console.log(JSON.stringify(o));
  for (const c of Object.values(svc)) c.close();
})();
