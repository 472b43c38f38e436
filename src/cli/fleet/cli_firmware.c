/* `toit firmware ...`: signing keys, signatures, releases, SetFirmware.
 *
 * Signatures (the server's scheme, srv_ops_firmware.c): Ed25519 detached
 * signature over the 32 raw bytes of the image's SHA-256, base64. A key file
 * holds the base64 of the 64-byte libsodium secret key on one line. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli_fleet_int.h"

#define JS(o, k) (json_string_value(json_object_get((o), (k))) ?: "")

static const char FW_HELP[] =
    "usage: toit firmware COMMAND [--json]\n"
    "  keygen --out KEYFILE          a new Ed25519 signing key; prints the public key for\n"
    "                                `toit org set firmware_public_key=...`\n"
    "  sign FILE --key KEYFILE       prints the release signature of an image\n"
    "  upload FILE --version V --target T (--key KEYFILE | --sig SIG) [--notes TEXT] [--min-from "
    "V]\n"
    "                                T: esp32, esp32c3, posix-sim or rv32-qemu (admins only)\n"
    "  list [--target T]             releases, newest first\n"
    "  show ID|VERSION [--target T]\n"
    "  delete ID|VERSION [--target T]  (refused while a goal uses it)\n"
    "  set VERSION (-d D | --group G | --where Q) [--release-target T] [--yes]\n"
    "                                direct, unstaged: the firmware of the devices' (or group's)\n"
    "                                goal; for a staged change use `toit rollout create --firmware "
    "V`\n";

static bool sign_file(const char *file, const char *keyfile, char sig_b64[100]) {
  size_t klen = 0, len = 0;
  char *k = cli_read_file(keyfile, &klen);
  uint8_t sk[crypto_sign_SECRETKEYBYTES], digest[32], sig[crypto_sign_BYTES];
  size_t n = 0;
  while (k && klen && (k[klen - 1] == '\n' || k[klen - 1] == '\r' || k[klen - 1] == ' '))
    klen--;
  bool ok = k &&
            sodium_base642bin(sk, sizeof sk, k, klen, NULL, &n, NULL,
                              sodium_base64_VARIANT_ORIGINAL) == 0 &&
            n == sizeof sk;
  free(k);
  if (!ok) {
    fprintf(stderr, "toit firmware: %s is not a key file from `toit firmware keygen`\n", keyfile);
    return false;
  }
  char *data = cli_read_file(file, &len);
  if (!data) {
    fprintf(stderr, "toit firmware: cannot read %s\n", file);
    sodium_memzero(sk, sizeof sk);
    return false;
  }
  crypto_hash_sha256(digest, (const unsigned char *)data, len);
  free(data);
  crypto_sign_detached(sig, NULL, digest, sizeof digest, sk);
  sodium_memzero(sk, sizeof sk);
  sodium_bin2base64(sig_b64, 100, sig, sizeof sig, sodium_base64_VARIANT_ORIGINAL);
  return true;
}

static void print_release(json_t *f) {
  printf("%s %s for %s\n  id       %s\n  sha256   %s\n  size     %lld bytes\n  notes    %s\n  min "
         "from %s\n  created  %s\n",
         "firmware", JS(f, "version"), JS(f, "target"), JS(f, "id"), JS(f, "image_sha256"),
         (long long)json_integer_value(json_object_get(f, "size")), JS(f, "notes"),
         json_is_string(json_object_get(f, "min_from_version")) ? JS(f, "min_from_version") : "-",
         JS(f, "created_at"));
}

/* The release path for ID|VERSION [--target T]. */
static void release_path(char *path, size_t n, const char *idv, const char *target) {
  char *ei = cli_escape(idv), *et = target ? cli_escape(target) : NULL;
  snprintf(path, n, "/firmware/%s%s%s", ei, et ? "?target=" : "", et ? et : "");
  free(ei);
  free(et);
}

int cli_fleet_firmware(int argc, char **argv) {
  if (cli_wants_help(argc, argv, FW_HELP)) return CLI_OK;
  bool js = cli_strip_flag(&argc, argv, "--json");
  if (argc < 2 || sodium_init() < 0) {
    fputs(FW_HELP, stderr);
    return CLI_USAGE;
  }
  cli_conf cf;
  cli_conf_load(&cf);
  json_t *out = NULL;
  int rc = CLI_USAGE;
  char path[1200];
  const char *sub = argv[1], *v;
  if (strcmp(sub, "keygen") == 0) {
    const char *file = NULL;
    for (int i = 2; i < argc; i++)
      if (!cli_flag(argc, argv, &i, "--out", &file)) file = NULL, i = argc;
    if (!file) {
      fputs(FW_HELP, stderr);
      return CLI_USAGE;
    }
    uint8_t pk[crypto_sign_PUBLICKEYBYTES], sk[crypto_sign_SECRETKEYBYTES];
    char pkb[64], skb[100];
    crypto_sign_keypair(pk, sk);
    sodium_bin2base64(pkb, sizeof pkb, pk, sizeof pk, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(skb, sizeof skb, sk, sizeof sk, sodium_base64_VARIANT_ORIGINAL);
    sodium_memzero(sk, sizeof sk);
    FILE *f = fopen(file, "wx");
    if (!f) {
      fprintf(stderr, "toit firmware keygen: cannot create %s (it must not exist)\n", file);
      return CLI_ERR;
    }
    chmod(file, 0600);
    fprintf(f, "%s\n", skb);
    sodium_memzero(skb, sizeof skb);
    if (fclose(f) != 0) return CLI_ERR;
    if (js) {
      json_t *j = json_pack("{s:s,s:s}", "public_key", pkb, "key_file", file);
      cli_print_json(j);
      json_decref(j);
    } else {
      printf("public key %s\nsecret key in %s (keep it safe)\nnext: toit org set "
             "firmware_public_key=%s\n",
             pkb, file, pkb);
    }
    return CLI_OK;
  }
  if (strcmp(sub, "sign") == 0 && argc >= 3) {
    const char *key = NULL;
    for (int i = 3; i < argc; i++)
      if (!cli_flag(argc, argv, &i, "--key", &key)) key = NULL, i = argc;
    char sig[100];
    if (!key) {
      fputs(FW_HELP, stderr);
      return CLI_USAGE;
    }
    if (!sign_file(argv[2], key, sig)) return CLI_ERR;
    printf("%s\n", sig);
    return CLI_OK;
  }
  if (strcmp(sub, "upload") == 0 && argc >= 3) {
    json_t *spec = json_object();
    const char *key = NULL, *sig = NULL;
    bool ok = true;
    for (int i = 3; i < argc && ok; i++) {
      if (cli_flag(argc, argv, &i, "--version", &v))
        json_object_set_new(spec, "version", json_string(v));
      else if (cli_flag(argc, argv, &i, "--target", &v))
        json_object_set_new(spec, "target", json_string(v));
      else if (cli_flag(argc, argv, &i, "--notes", &v))
        json_object_set_new(spec, "notes", json_string(v));
      else if (cli_flag(argc, argv, &i, "--min-from", &v))
        json_object_set_new(spec, "min_from_version", json_string(v));
      else if (cli_flag(argc, argv, &i, "--key", &v))
        key = v;
      else if (cli_flag(argc, argv, &i, "--sig", &v))
        sig = v;
      else
        ok = false;
    }
    char sigbuf[100];
    if (!ok || !json_object_get(spec, "version") || !json_object_get(spec, "target") ||
        (!key && !sig)) {
      json_decref(spec);
      fputs(FW_HELP, stderr);
      return CLI_USAGE;
    }
    if (key) {
      if (!sign_file(argv[2], key, sigbuf)) {
        json_decref(spec);
        return CLI_ERR;
      }
      sig = sigbuf;
    }
    json_object_set_new(spec, "sig", json_string(sig));
    rc = cli_upload_with_spec(&cf, "toit firmware upload", argv[2], "/firmware", "X-Firmware-Spec", spec, &out);
    if (rc == CLI_OK)
      js ? cli_print_json(out)
         : (void)printf("uploaded firmware %s for %s (sha256 %.12s…, %.1f KiB)\n",
                        JS(out, "version"), JS(out, "target"), JS(out, "image_sha256"),
                        (double)json_integer_value(json_object_get(out, "size")) / 1024);
  } else if (strcmp(sub, "list") == 0) {
    const char *target = NULL;
    bool ok = true;
    for (int i = 2; i < argc && ok; i++)
      if (!cli_flag(argc, argv, &i, "--target", &target)) ok = false;
    if (!ok) {
      fputs(FW_HELP, stderr);
      return CLI_USAGE;
    }
    char *et = target ? cli_escape(target) : NULL;
    snprintf(path, sizeof path, "/firmware%s%s", et ? "?target=" : "", et ? et : "");
    free(et);
    rc = cli_api(&cf, "GET", path, NULL, &out);
    if (rc == CLI_OK) {
      if (js) {
        cli_print_json(json_object_get(out, "items"));
      } else if (json_array_size(json_object_get(out, "items")) == 0) {
        printf("No firmware releases yet. Upload one with `toit firmware upload`.\n");
      } else {
        const char *h[] = {"VERSION", "TARGET", "SIZE", "SHA256", "CREATED", "ID"};
        cli_table *t = cli_table_new(6, h);
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(out, "items"), i, f) {
          char size[32], sha[16], id[12];
          snprintf(size, sizeof size, "%.1f KiB",
                   (double)json_integer_value(json_object_get(f, "size")) / 1024);
          snprintf(sha, sizeof sha, "%.12s", JS(f, "image_sha256"));
          snprintf(id, sizeof id, "%.8s", JS(f, "id"));
          const char *row[] = {
              JS(f, "version"), JS(f, "target"), size, sha, JS(f, "created_at"), id};
          cli_table_row(t, row);
        }
        cli_table_print(t, stdout);
        cli_table_free(t);
      }
    }
  } else if ((strcmp(sub, "show") == 0 || strcmp(sub, "delete") == 0) && argc >= 3) {
    const char *target = NULL;
    bool ok = true;
    for (int i = 3; i < argc && ok; i++)
      if (!cli_flag(argc, argv, &i, "--target", &target)) ok = false;
    if (!ok) {
      fputs(FW_HELP, stderr);
      return CLI_USAGE;
    }
    release_path(path, sizeof path, argv[2], target);
    bool del = strcmp(sub, "delete") == 0;
    rc = cli_api(&cf, del ? "DELETE" : "GET", path, NULL, &out);
    if (rc == CLI_OK) {
      if (js)
        cli_print_json(out);
      else if (del)
        printf("deleted firmware %s\n", argv[2]);
      else
        print_release(out);
    }
  } else if (strcmp(sub, "set") == 0 && argc >= 3) {
    const char *dev = NULL, *group = NULL, *where = NULL, *rt = NULL;
    bool yes = false, ok = true;
    for (int i = 3; i < argc && ok; i++) {
      if (cli_flag(argc, argv, &i, "-d", &v) || cli_flag(argc, argv, &i, "--device", &v))
        dev = v;
      else if (cli_flag(argc, argv, &i, "--group", &v))
        group = v;
      else if (cli_flag(argc, argv, &i, "--where", &v))
        where = v;
      else if (cli_flag(argc, argv, &i, "--release-target", &v))
        rt = v;
      else if (strcmp(argv[i], "--yes") == 0)
        yes = true;
      else
        ok = false;
    }
    if (!ok || (!!dev + !!group + !!where) != 1) {
      fputs(FW_HELP, stderr);
      return CLI_USAGE;
    }
    json_t *target;
    if (dev) {
      char id[40];
      if ((rc = cli_device_resolve(&cf, dev, id)) != CLI_OK) return rc;
      target = json_pack("{s:s}", "device", id);
    } else if (group) {
      target = json_pack("{s:s}", "group", group);
    } else {
      /* A query may change many devices: say how many and ask for --yes. */
      char *ew = cli_escape(where);
      snprintf(path, sizeof path, "/devices?page_size=1&q=%s", ew);
      free(ew);
      json_t *l = NULL;
      if ((rc = cli_api(&cf, "GET", path, NULL, &l)) != CLI_OK) {
        json_decref(l);
        return rc;
      }
      long long n = json_integer_value(json_object_get(l, "total"));
      json_decref(l);
      if (!yes) {
        fprintf(
            stderr,
            "toit firmware set: this changes the goal of %lld device(s); add --yes to confirm\n",
            n);
        return CLI_USAGE;
      }
      target = json_pack("{s:s}", "query", where);
    }
    json_t *body = json_pack("{s:o,s:s}", "target", target, "version", argv[2]);
    if (rt) json_object_set_new(body, "release_target", json_string(rt));
    rc = cli_api(&cf, "POST", "/firmware/set", body, &out);
    json_decref(body);
    if (rc == CLI_OK) {
      if (js)
        cli_print_json(out);
      else if (group)
        printf("firmware %s set on group %s (group layer rev %lld); members take it at their next "
               "check-in\n",
               argv[2], group, (long long)json_integer_value(json_object_get(out, "rev")));
      else {
        printf("firmware %s set on %lld device(s); they take it at their next check-in\n", argv[2],
               (long long)json_integer_value(json_object_get(out, "devices")));
        size_t i;
        json_t *sk;
        json_array_foreach(json_object_get(out, "skipped"), i, sk)
          printf("skipped %s: %s\n", json_string_value(json_object_get(sk, "name")),
                 strcmp(json_string_value(json_object_get(sk, "reason")) ?: "", "firmware_unknown") == 0
                     ? "it has not reported its firmware (the release has a min_from_version)"
                     : "it runs firmware older than the release's min_from_version");
      }
    }
  } else {
    fputs(FW_HELP, stderr);
    return CLI_USAGE;
  }
  json_decref(out);
  return rc;
}
