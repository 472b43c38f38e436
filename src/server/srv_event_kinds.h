/* Every event kind the server records (FLEET.md §1.6), defined once. */
#ifndef TOIT_SRV_EVENT_KINDS_H
#define TOIT_SRV_EVENT_KINDS_H

#define SRV_EVENT_KINDS(X)                                        \
  X(DEVICE_CLAIMED, "device.claimed")                             \
  X(DEVICE_UNCLAIMED, "device.unclaimed")                         \
  X(DEVICE_REPLACED, "device.replaced")                           \
  X(DEVICE_RENAMED, "device.renamed")                             \
  X(DEVICE_TAGS_CHANGED, "device.tags_changed")                   \
  X(DEVICE_GROUP_CHANGED, "device.group_changed")                 \
  X(DEVICE_CONFIG_CHANGED, "device.config_changed")               \
  X(DEVICE_REBOOT_REQUESTED, "device.reboot_requested")           \
  X(DEVICE_FIRST_SEEN, "device.first_seen")                       \
  X(DEVICE_ONLINE, "device.online")                               \
  X(DEVICE_OFFLINE, "device.offline")                             \
  X(DEVICE_HEALTH_CHANGED, "device.health_changed")               \
  X(APP_VERSION_UPLOADED, "app.version_uploaded")                 \
  X(APP_INSTALL_REQUESTED, "app.install_requested")               \
  X(APP_UNINSTALL_REQUESTED, "app.uninstall_requested")           \
  X(ORG_CREATED, "org.created")                                   \
  X(ORG_UPDATED, "org.updated")                                   \
  X(ORG_MEMBER_INVITED, "org.member_invited")                     \
  X(ORG_INVITE_REVOKED, "org.invite_revoked")                     \
  X(ORG_MEMBER_JOINED, "org.member_joined")                       \
  X(ORG_MEMBER_ROLE_CHANGED, "org.member_role_changed")           \
  X(ORG_MEMBER_REMOVED, "org.member_removed")                     \
  X(APIKEY_CREATED, "apikey.created")                             \
  X(APIKEY_REVOKED, "apikey.revoked")                             \
  X(AUTH_LOGIN_FAILED, "auth.login_failed")                       \
  X(HARDWARE_PROVISIONED, "hardware.provisioned")                 \
  X(DATA_SUBSCRIPTION_CREATED, "data.subscription_created")       \
  X(DATA_SUBSCRIPTION_DELETED, "data.subscription_deleted")       \
  X(GROUP_CREATED, "group.created")                               \
  X(GROUP_UPDATED, "group.updated")                               \
  X(GROUP_DELETED, "group.deleted")                               \
  X(GROUP_CONFIG_CHANGED, "group.config_changed")                 \
  X(SIM_CREATED, "sim.created")                                   \
  X(SIM_STARTED, "sim.started")                                   \
  X(SIM_STOPPED, "sim.stopped")                                   \
  X(SIM_DELETED, "sim.deleted")                                   \
  X(ROLLOUT_CREATED, "rollout.created")                           \
  X(ROLLOUT_STARTED, "rollout.started")                           \
  X(ROLLOUT_STAGE_ADVANCED, "rollout.stage_advanced")             \
  X(ROLLOUT_PAUSED, "rollout.paused")                             \
  X(ROLLOUT_RESUMED, "rollout.resumed")                           \
  X(ROLLOUT_HALTED, "rollout.halted")                             \
  X(ROLLOUT_COMPLETED, "rollout.completed")                       \
  X(ROLLOUT_ROLLED_BACK, "rollout.rolled_back")                   \
  X(ROLLOUT_CANCELLED, "rollout.cancelled")                       \
  X(FW_RELEASE_UPLOADED, "fw.release_uploaded")                   \
  X(FW_RELEASE_DELETED, "fw.release_deleted")                     \
  X(FW_UPDATE_REQUESTED, "fw.update_requested")

typedef enum {
#define X(e, name) SRV_EV_##e,
  SRV_EVENT_KINDS(X)
#undef X
      SRV_EV_COUNT
} srv_event_kind;

const char *srv_event_kind_name(srv_event_kind k);

#endif
