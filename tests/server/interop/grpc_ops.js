// A scripted session over the whole gRPC API with Node's @grpc/grpc-js: one
// or more calls of every service, including role, credential and tenancy
// failures. Prints {step: {code, res|details}}; grpc_test.py asserts.
// usage: node grpc_ops.js ADDRESS PROTO_DIR ADMIN_TOKEN VIEWER_KEY OTHER_ORG_TOKEN DEVICE_ID
const path = require("path");
const grpc = require("@grpc/grpc-js");
const loader = require("@grpc/proto-loader");

const [addr, protoDir, admin, viewer, other, dev] = process.argv.slice(2);
const def = loader.loadSync(path.join(protoDir, "fleet/v1/fleet.proto"), {
  includeDirs: [protoDir], keepCase: true, longs: String, enums: String, defaults: true,
});
const v1 = grpc.loadPackageDefinition(def).fleet.v1;
const creds = grpc.credentials.createInsecure();
const svc = {};
for (const name of ["AuthService", "OrgService", "DeviceService", "GroupService", "AppService", "RolloutService",
                    "TelemetryService", "DataService", "SimulatorService", "ServerService"]) {
  svc[name] = new v1[name](addr, creds);
}

// A server stream: collects items until `until(item)` holds or it ends; then cancels.
function stream(service, method, req, token, until, trigger) {
  const md = new grpc.Metadata();
  if (token) md.add("authorization", "Bearer " + token);
  return new Promise((resolve) => {
    const items = [];
    const t0 = Date.now();
    let done = false;
    const st = svc[service][method](req, md);
    const finish = (r) => { if (!done) { done = true; clearTimeout(timer); st.cancel(); resolve(r); } };
    const timer = setTimeout(() => finish({ code: "TIMEOUT", items }), 8000);
    st.on("data", (it) => {
      items.push(it);
      if (until(it)) finish({ code: "OK", items, ms: Date.now() - t0 });
    });
    st.on("error", (err) => finish({ code: grpc.status[err.code], details: err.details, items }));
    st.on("end", () => finish({ code: "END", items }));
    if (trigger) setTimeout(() => trigger(items), 300);
  });
}

function call(service, method, req, token) {
  const md = new grpc.Metadata();
  if (token) md.add("authorization", "Bearer " + token);
  return new Promise((resolve) => {
    svc[service][method](req, md, { deadline: Date.now() + 10000 }, (err, res) => {
      resolve(err ? { code: grpc.status[err.code], details: err.details } : { code: "OK", res });
    });
  });
}

(async () => {
  const o = {};
  o.login = await call("AuthService", "Login", { email: "admin@localhost", password: "admin-pass-1" });
  o.login_bad = await call("AuthService", "Login", { email: "admin@localhost", password: "wrong" });
  const session = o.login.res ? o.login.res.token : "";
  o.whoami = await call("AuthService", "WhoAmI", {}, session);
  const tok = admin;
  o.get_org = await call("OrgService", "GetOrg", {}, tok);
  o.members = await call("OrgService", "ListMembers", {}, tok);
  o.create_key = await call("OrgService", "CreateApiKey", { name: "from-grpc", role: "viewer" }, tok);
  o.list_keys = await call("OrgService", "ListApiKeys", {}, tok);
  o.invite = await call("OrgService", "InviteMember", { email: "cy@example.com", role: "viewer" }, tok);
  o.group = await call("GroupService", "CreateGroup", { name: "grpc-group", description: "made over gRPC" }, tok);
  o.group_dup = await call("GroupService", "CreateGroup", { name: "grpc-group" }, tok);
  o.update = await call("DeviceService", "UpdateDevice",
                        { id: dev, name: "alpha-2", group: "grpc-group", tags_json: '{"site":"roof"}' }, tok);
  o.configure = await call("DeviceService", "ConfigureDevice", { id: dev, patch_json: '{"max_offline_s": 600}' }, tok);
  o.configure_stale = await call("DeviceService", "ConfigureDevice",
                                 { id: dev, patch_json: '{"max_offline_s": 900}', expected_rev: 99 }, tok);
  o.configure_bad = await call("DeviceService", "ConfigureDevice", { id: dev, patch_json: "[1]" }, tok);
  o.goal = await call("DeviceService", "GetGoal", { id: dev }, tok);
  o.fav = await call("DeviceService", "FavouriteDevice", { id: dev }, tok);
  o.favs = await call("DeviceService", "ListFavourites", {}, tok);
  o.upload = await call("AppService", "UploadAppVersion",
                        { app: "blinky", spec_json: '{"version": "1.0.0"}', image: Buffer.from("IMAGE".repeat(50)) }, tok);
  o.apps = await call("AppService", "ListApps", {}, tok);
  o.install = await call("AppService", "InstallApp", { device: dev, app: "blinky" }, tok);
  o.installs = await call("AppService", "ListInstallations", { device: dev }, tok);
  const spec = { target_json: '{"group": "grpc-group"}', change_json: '{"config": {"log_level": "debug"}}',
                 stages_json: "[100]", policy_json: '{"min_sample": 1}' };
  o.preview = await call("RolloutService", "PreviewRollout", spec, tok);
  o.rollout = await call("RolloutService", "CreateRollout", Object.assign({ start: true, name: "grpc rollout" }, spec), tok);
  const rid = o.rollout.res ? o.rollout.res.id : "00000000-0000-4000-8000-000000000000";
  o.rollout_get = await call("RolloutService", "GetRollout", { id: rid, members: true }, tok);
  o.watch = await stream("RolloutService", "WatchRollout", { id: rid }, tok, (r) => r.state === "cancelled", async (items) => {
    o.rollout_pause = await call("RolloutService", "PauseRollout", { id: rid }, tok);
    // The watch sends the state it reads when woken: let it see `paused`
    // before the abort (two quick commits may otherwise show only the last).
    for (let i = 0; i < 100 && !items.some((r) => r.state === "paused"); i++) await new Promise((r) => setTimeout(r, 20));
    o.rollout_abort = await call("RolloutService", "AbortRollout", { id: rid, reason: "grpc test" }, tok);
  });
  o.watch_other = await stream("RolloutService", "WatchRollout", { id: rid }, other, () => true);
  o.rollout_bad = await call("RolloutService", "CreateRollout", { target_json: "{", change_json: "{}" }, tok);
  o.rollouts = await call("RolloutService", "ListRollouts", {}, tok);
  o.sub = await call("DataService", "CreateSubscription", { name: "s1", topic: "t/#" }, tok);
  o.publish = await call("DataService", "Publish", { topic: "t/x", data: Buffer.from("hello"), content_type: "text/plain" }, tok);
  o.fetch = await call("DataService", "Fetch", { name: "s1" }, tok);
  const ids = o.fetch.res ? o.fetch.res.items.map((m) => m.id) : [];
  o.ack = await call("DataService", "Acknowledge", { name: "s1", ids }, tok);
  o.topics = await call("DataService", "ListTopics", {}, tok);
  o.dev_events = await call("TelemetryService", "ReadDeviceEvents", { id: dev, limit: 50 }, tok);
  o.logs = await call("TelemetryService", "ReadLogs", { id: dev }, tok);
  o.summary = await call("TelemetryService", "FleetSummary", {}, tok);
  o.sims = await call("SimulatorService", "ListSimulators", {}, tok);
  o.info = await call("ServerService", "GetInfo", {}, tok);
  // Failures: role, credentials, tenancy.
  o.viewer_create_group = await call("GroupService", "CreateGroup", { name: "nope" }, viewer);
  o.viewer_read = await call("DeviceService", "GetDevice", { id: dev }, viewer);
  o.no_token = await call("DeviceService", "ListDevices", {}, null);
  o.bad_token = await call("OrgService", "GetOrg", {}, "tk_aaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
  o.other_get = await call("DeviceService", "GetDevice", { id: dev }, other);
  o.other_update = await call("DeviceService", "UpdateDevice", { id: dev, name: "stolen" }, other);
  o.other_rollout = await call("RolloutService", "GetRollout", { id: rid }, other);
  o.other_install = await call("AppService", "InstallApp", { device: dev, app: "blinky" }, other);
  o.other_list = await call("DeviceService", "ListDevices", {}, other);
  o.missing_id = await call("DeviceService", "GetDevice", {}, tok);
  // Hostile bytes instead of a protobuf message, and a method that does not exist.
  const raw = (method, bytes) => new Promise((resolve) => {
    const md = new grpc.Metadata();
    md.add("authorization", "Bearer " + tok);
    svc.DeviceService.makeUnaryRequest(method, (x) => x, (b) => b, bytes, md, (err, res) =>
      resolve(err ? { code: grpc.status[err.code], details: err.details } : { code: "OK" }));
  });
  o.garbage = await raw("/fleet.v1.DeviceService/GetDevice", Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]));
  o.bad_utf8 = await raw("/fleet.v1.DeviceService/GetDevice", Buffer.from([0x0a, 0x02, 0xc3, 0x28]));
  o.unknown_method = await raw("/fleet.v1.DeviceService/SelfDestruct", Buffer.alloc(0));
  o.too_big = await call("GroupService", "CreateGroup", { name: "big", description: "x".repeat(2 << 20) }, tok);
  o.bad_stages = await call("RolloutService", "PreviewRollout",
                            Object.assign({}, spec, { stages_json: "[50, 10]" }), tok);
  o.ungroup = await call("DeviceService", "UpdateDevice", { id: dev, ungroup: true }, tok);
  o.delete_group = await call("GroupService", "DeleteGroup", { id: "grpc-group" }, tok);
  // Live follow over server streaming: an event made by another call arrives.
  o.follow = await stream("TelemetryService", "FollowEvents", { kind: "group.created" }, tok,
                          (e) => e.kind === "group.created",
                          () => call("GroupService", "CreateGroup", { name: "streamed" }, tok));
  o.follow_dev = await stream("TelemetryService", "FollowDeviceEvents", { id: dev, after: 1 }, tok,
                              (e) => e.kind === "device.renamed");
  o.follow_bad = await stream("TelemetryService", "FollowEvents", {}, "tk_aaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", () => true);
  o.follow_other = await stream("TelemetryService", "FollowLogs", { id: dev }, other, () => true);
  o.follow_viewer = await stream("TelemetryService", "FollowLogs", { id: dev, level: "bogus" }, viewer, () => true);
  // Reads for the parity check: the Python side reads the same over HTTP.
  o.parity = {
    devices: await call("DeviceService", "ListDevices", { page_size: 10 }, tok),
    device: await call("DeviceService", "GetDevice", { id: dev }, tok),
    goal: await call("DeviceService", "GetGoal", { id: dev }, tok),
    org: await call("OrgService", "GetOrg", {}, tok),
    members: await call("OrgService", "ListMembers", {}, tok),
    groups: await call("GroupService", "ListGroups", {}, tok),
    apps: await call("AppService", "ListApps", {}, tok),
    versions: await call("AppService", "ListAppVersions", { app: "blinky" }, tok),
    rollouts: await call("RolloutService", "ListRollouts", {}, tok),
    rollout: await call("RolloutService", "GetRollout", { id: rid, members: true }, tok),
    events: await call("TelemetryService", "ReadEvents", { limit: 30 }, tok),
    summary: await call("TelemetryService", "FleetSummary", {}, tok),
    subs: await call("DataService", "ListSubscriptions", {}, tok),
    topics: await call("DataService", "ListTopics", {}, tok),
  };
  o.logout = await call("AuthService", "Logout", {}, session);
  o.after_logout = await call("AuthService", "WhoAmI", {}, session);
  console.log(JSON.stringify(o));
  for (const c of Object.values(svc)) c.close();
})();
