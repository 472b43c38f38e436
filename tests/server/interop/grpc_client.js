// A standard gRPC client from another ecosystem (Node's @grpc/grpc-js with
// @grpc/proto-loader reading proto/fleet/v1/fleet.proto) calling the fleet
// server. Prints one JSON object with every result; the Python side asserts.
// usage: node grpc_client.js ADDRESS PROTO_DIR API_KEY DEVICE_ID
const path = require("path");
const grpc = require("@grpc/grpc-js");
const loader = require("@grpc/proto-loader");

const [addr, protoDir, key, deviceId] = process.argv.slice(2);
const def = loader.loadSync(path.join(protoDir, "fleet/v1/fleet.proto"), {
  includeDirs: [protoDir], keepCase: true, longs: String, enums: String, defaults: true,
});
const v1 = grpc.loadPackageDefinition(def).fleet.v1;
const creds = grpc.credentials.createInsecure();
const clients = {
  auth: new v1.AuthService(addr, creds),
  devices: new v1.DeviceService(addr, creds),
  telemetry: new v1.TelemetryService(addr, creds),
  server: new v1.ServerService(addr, creds),
};

function call(client, method, req, token) {
  const md = new grpc.Metadata();
  if (token) md.add("authorization", "Bearer " + token);
  return new Promise((resolve) => {
    clients[client][method](req, md, { deadline: Date.now() + 10000 }, (err, res) => {
      resolve(err ? { code: grpc.status[err.code], details: err.details } : { code: "OK", res });
    });
  });
}

(async () => {
  const out = {};
  out.whoami = await call("auth", "WhoAmI", {}, key);
  out.whoami_anon = await call("auth", "WhoAmI", {}, null);
  out.whoami_bad = await call("auth", "WhoAmI", {}, "tk_aaaaaaaa_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
  out.list = await call("devices", "ListDevices", { page_size: 1 }, key);
  out.list2 = await call("devices", "ListDevices", { page_size: 1, page_token: out.list.res ? out.list.res.next_page_token : "" }, key);
  out.list_bad = await call("devices", "ListDevices", { page_size: 9999 }, key);
  out.get = await call("devices", "GetDevice", { id: deviceId }, key);
  out.get_missing = await call("devices", "GetDevice", { id: "00000000-0000-4000-8000-000000000000" }, key);
  out.events = await call("telemetry", "ReadEvents", { kind: "device.claimed", limit: 10 }, key);
  out.info = await call("server", "GetInfo", {}, key);
  console.log(JSON.stringify(out));
  for (const c of Object.values(clients)) c.close();
})();
