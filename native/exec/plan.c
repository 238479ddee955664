/* Decoder of the launch plan (format: src/plan/wire.ts). Every record is bounds-checked,
 * unknown tags and malformed lengths are rejected, and strings are used in place. */
#define _GNU_SOURCE
#include <endian.h>
#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>

#include "exec/exec.h"
#include "exec/protocol.h"

struct plan P;

struct rec {
  unsigned tag;
  char *data;
  uint32_t len;
};

struct cursor {
  char *pos, *end;
};

static const char *bad; /* what was wrong, for the ERROR frame */

static int reject(const char *why, int err) {
  bad = why;
  errno = err;
  return -1;
}

/* 1: a record was read, 0: end of input, -1: malformed */
static int next_rec(struct cursor *c, struct rec *r) {
  if (c->pos == c->end) return 0;
  if ((size_t)(c->end - c->pos) < 8) return reject("truncated record header", EINVAL);
  uint16_t tag, zero;
  uint32_t len;
  memcpy(&tag, c->pos, 2);
  memcpy(&zero, c->pos + 2, 2);
  memcpy(&len, c->pos + 4, 4);
  len = le32toh(len);
  if (zero != 0) return reject("nonzero reserved field in record header", EINVAL);
  if (len > (size_t)(c->end - c->pos) - 8) return reject("record length past the end", EINVAL);
  r->tag = le16toh(tag);
  r->data = c->pos + 8;
  r->len = len;
  c->pos += 8 + (size_t)len;
  return 1;
}

static int num(const struct rec *r, uint64_t *out) {
  *out = 0;
  if (r->len != 8) return reject("number record is not 8 bytes", EINVAL);
  uint64_t v;
  memcpy(&v, r->data, 8);
  *out = le64toh(v);
  return 0;
}

static int str(const struct rec *r, char **out) {
  if (r->len == 0 || r->data[r->len - 1] != '\0') return reject("string record without its NUL", EINVAL);
  if (memchr(r->data, '\0', r->len - 1) != NULL) return reject("string record with an inner NUL", EINVAL);
  *out = r->data;
  return 0;
}

static int cstr(const struct rec *r, const char **out) {
  char *s;
  if (str(r, &s) < 0) return -1;
  *out = s;
  return 0;
}

static int flag(const struct rec *r, int *out) {
  uint64_t v;
  if (num(r, &v) < 0) return -1;
  *out = v != 0;
  return 0;
}

/* Room for one more element of a list, or a rejection naming the list. */
static int room(int count, int cap, const char *why) {
  return count < cap ? 0 : reject(why, E2BIG);
}

static int ns_flag(const char *type) {
  static const struct { const char *name; int flag; } names[] = {
      {"pid", CLONE_NEWPID}, {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS}, {"ipc", CLONE_NEWIPC},
      {"uts", CLONE_NEWUTS}, {"user", CLONE_NEWUSER}, {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp(type, names[i].name) == 0) return names[i].flag;
  return 0;
}

static int decode_time_offset(struct cursor *c, struct time_offset *t) {
  struct rec r;
  int got;
  uint64_t v;
  t->clock = NULL;
  t->secs = t->nsecs = 0;
  while ((got = next_rec(c, &r)) > 0) {
    switch (r.tag) {
      case RUNT_SUB_TO_CLOCK: if (cstr(&r, &t->clock) < 0) return -1; break;
      case RUNT_SUB_TO_SECS: if (num(&r, &v) < 0) return -1; t->secs = (int64_t)v; break;
      case RUNT_SUB_TO_NSECS: if (num(&r, &v) < 0) return -1; t->nsecs = (int64_t)v; break;
      default: return reject("unknown tag in TIME_OFFSET", EINVAL);
    }
  }
  if (got < 0) return -1;
  return t->clock ? 0 : reject("TIME_OFFSET without clock", EINVAL);
}

static int decode_mount(struct cursor *c, struct mount_op *m) {
  struct rec r;
  int got;
  uint64_t v;
  memset(m, 0, sizeof *m);
  m->tree_fd = -1;
  while ((got = next_rec(c, &r)) > 0) {
    switch (r.tag) {
      case RUNT_SUB_M_DEST: if (cstr(&r, &m->dest) < 0) return -1; break;
      case RUNT_SUB_M_SOURCE: if (cstr(&r, &m->source) < 0) return -1; break;
      case RUNT_SUB_M_FSTYPE: if (cstr(&r, &m->fstype) < 0) return -1; break;
      case RUNT_SUB_M_DATA: if (cstr(&r, &m->data) < 0) return -1; break;
      case RUNT_SUB_M_FLAGS: if (num(&r, &v) < 0) return -1; m->flags = v; break;
      case RUNT_SUB_M_PROPAGATION:
        if (num(&r, &v) < 0 || room(m->npropagation, MAX_PROPAGATION, "too many propagation flags") < 0) return -1;
        m->propagation[m->npropagation++] = v;
        break;
      case RUNT_SUB_M_ATTR_SET: if (num(&r, &m->attr_set) < 0) return -1; break;
      case RUNT_SUB_M_ATTR_CLR: if (num(&r, &m->attr_clr) < 0) return -1; break;
      case RUNT_SUB_M_CREATE_FILE: if (flag(&r, &m->create_file) < 0) return -1; break;
      case RUNT_SUB_M_TMPCOPYUP: if (flag(&r, &m->tmpcopyup) < 0) return -1; break;
      case RUNT_SUB_M_IDMAP:
        if (num(&r, &v) < 0) return -1;
        if (v < 1 || v > 2) return reject("unknown IDMAP kind in MOUNT", EINVAL);
        m->idmap = (int)v;
        break;
      case RUNT_SUB_M_UID_MAP: if (cstr(&r, &m->uid_map) < 0) return -1; break;
      case RUNT_SUB_M_GID_MAP: if (cstr(&r, &m->gid_map) < 0) return -1; break;
      default: return reject("unknown tag in MOUNT", EINVAL);
    }
  }
  if (got < 0) return -1;
  if (!m->dest || !m->source || !m->fstype || !m->data) return reject("MOUNT without dest, source, fstype or data", EINVAL);
  if (m->idmap && (!m->uid_map || !m->gid_map || !(m->flags & MS_BIND)))
    return reject("idmapped MOUNT without its maps, or not a bind", EINVAL);
  return m->dest[0] == '/' ? 0 : reject("MOUNT destination is not absolute", EINVAL);
}

static int decode_device(struct cursor *c, struct device_op *d) {
  struct rec r;
  int got;
  uint64_t v;
  memset(d, 0, sizeof *d);
  while ((got = next_rec(c, &r)) > 0) {
    switch (r.tag) {
      case RUNT_SUB_D_PATH: if (cstr(&r, &d->path) < 0) return -1; break;
      case RUNT_SUB_D_TYPE: if (num(&r, &v) < 0) return -1; d->type = (int)v; break;
      case RUNT_SUB_D_MAJOR: if (num(&r, &d->major) < 0) return -1; break;
      case RUNT_SUB_D_MINOR: if (num(&r, &d->minor) < 0) return -1; break;
      case RUNT_SUB_D_MODE: if (num(&r, &d->mode) < 0) return -1; break;
      case RUNT_SUB_D_UID: if (num(&r, &d->uid) < 0) return -1; break;
      case RUNT_SUB_D_GID: if (num(&r, &d->gid) < 0) return -1; break;
      case RUNT_SUB_D_BIND: if (flag(&r, &d->bind) < 0) return -1; break;
      default: return reject("unknown tag in DEVICE", EINVAL);
    }
  }
  if (got < 0) return -1;
  if (!d->path || d->path[0] != '/') return reject("DEVICE without an absolute path", EINVAL);
  return d->type == 'c' || d->type == 'b' || d->type == 'p' ? 0 : reject("DEVICE of an unknown type", EINVAL);
}

/* A record of two strings (SYMLINK, SYSCTL). */
static int decode_pair(struct cursor *c, unsigned tag_a, const char **a, unsigned tag_b, const char **b, const char *what) {
  struct rec r;
  int got;
  *a = *b = NULL;
  while ((got = next_rec(c, &r)) > 0) {
    if (r.tag == tag_a) {
      if (cstr(&r, a) < 0) return -1;
    } else if (r.tag == tag_b) {
      if (cstr(&r, b) < 0) return -1;
    } else {
      return reject(what, EINVAL);
    }
  }
  if (got < 0) return -1;
  return *a && *b ? 0 : reject(what, EINVAL);
}

/* A record of numbers indexed by their sub-tag 1..n (RLIMIT, CAPS, CONSOLE_SIZE); all required. */
static int decode_numbers(struct cursor *c, uint64_t *out, unsigned n, const char *what) {
  struct rec r;
  int got;
  unsigned seen = 0;
  while ((got = next_rec(c, &r)) > 0) {
    if (r.tag < 1 || r.tag > n) return reject(what, EINVAL);
    if (num(&r, &out[r.tag - 1]) < 0) return -1;
    seen |= 1u << (r.tag - 1);
  }
  if (got < 0) return -1;
  return seen == (1u << n) - 1 ? 0 : reject(what, EINVAL);
}

static int decode_join_ns(struct cursor *c, struct join_ns *ns) {
  if (decode_pair(c, RUNT_SUB_NS_TYPE, &ns->type, RUNT_SUB_NS_PATH, &ns->path, "bad JOIN_NS record") < 0) return -1;
  ns->nstype = ns_flag(ns->type);
  return ns->nstype ? 0 : reject("JOIN_NS of an unknown namespace type", EINVAL);
}

static int decode_hook(struct cursor *c, struct hook_op *h) {
  struct rec r;
  int got;
  uint64_t v;
  memset(h, 0, sizeof *h);
  h->phase = -1;
  while ((got = next_rec(c, &r)) > 0) {
    switch (r.tag) {
      case RUNT_SUB_H_PHASE:
        if (num(&r, &v) < 0) return -1;
        if (v != HOOK_CREATE_CONTAINER && v != HOOK_START_CONTAINER) return reject("HOOK of an unknown phase", EINVAL);
        h->phase = (int)v;
        break;
      case RUNT_SUB_H_PATH: if (cstr(&r, &h->path) < 0) return -1; break;
      case RUNT_SUB_H_ARG:
        if (room(h->nargs, MAX_HOOK_ARGS, "too many hook args") < 0) return -1;
        if (str(&r, &h->args[h->nargs++]) < 0) return -1;
        break;
      case RUNT_SUB_H_ENV:
        if (room(h->nenv, MAX_HOOK_ENV, "too many hook env entries") < 0) return -1;
        if (str(&r, &h->env[h->nenv++]) < 0) return -1;
        break;
      case RUNT_SUB_H_TIMEOUT: if (num(&r, &h->timeout) < 0) return -1; break;
      default: return reject("unknown tag in HOOK", EINVAL);
    }
  }
  if (got < 0) return -1;
  if (h->phase < 0 || !h->path || h->nargs == 0) return reject("HOOK without phase, path or args", EINVAL);
  h->args[h->nargs] = NULL;
  h->env[h->nenv] = NULL;
  return 0;
}

static int decode_memory_policy(struct cursor *c) {
  struct rec r;
  int got;
  uint64_t v;
  unsigned seen = 0;
  while ((got = next_rec(c, &r)) > 0) {
    switch (r.tag) {
      case RUNT_SUB_MP_MODE: if (num(&r, &P.mempolicy_mode) < 0) return -1; seen |= 1; break;
      case RUNT_SUB_MP_FLAGS: if (num(&r, &P.mempolicy_flags) < 0) return -1; seen |= 2; break;
      case RUNT_SUB_MP_NODE:
        if (num(&r, &v) < 0) return -1;
        if (v >= MAX_NUMA_NODES) return reject("MEMORY_POLICY node number too large", E2BIG);
        P.mempolicy_nodes[v / (8 * sizeof(unsigned long))] |= 1UL << (v % (8 * sizeof(unsigned long)));
        break;
      default: return reject("unknown tag in MEMORY_POLICY", EINVAL);
    }
  }
  if (got < 0) return -1;
  if (seen != 3) return reject("MEMORY_POLICY without mode or flags", EINVAL);
  P.has_mempolicy = 1;
  return 0;
}

static int decode_record(const struct rec *r) {
  struct cursor inner = {r->data, r->data + r->len};
  uint64_t v[5];
  switch (r->tag) {
    case RUNT_TAG_JOIN_NS:
      if (room(P.njoin, MAX_JOIN_NS, "too many JOIN_NS") < 0) return -1;
      return decode_join_ns(&inner, &P.join[P.njoin++]);
    case RUNT_TAG_TIME_OFFSET:
      if (room(P.ntime_offsets, MAX_TIME_OFFSETS, "too many TIME_OFFSET") < 0) return -1;
      return decode_time_offset(&inner, &P.time_offsets[P.ntime_offsets++]);
    case RUNT_TAG_MOUNT:
      if (room(P.nmounts, MAX_MOUNTS, "too many mounts") < 0) return -1;
      return decode_mount(&inner, &P.mounts[P.nmounts++]);
    case RUNT_TAG_DEVICE:
      if (room(P.ndevices, MAX_DEVICES, "too many devices") < 0) return -1;
      return decode_device(&inner, &P.devices[P.ndevices++]);
    case RUNT_TAG_SYMLINK: {
      if (room(P.nsymlinks, MAX_SYMLINKS, "too many symlinks") < 0) return -1;
      struct symlink_op *l = &P.symlinks[P.nsymlinks++];
      return decode_pair(&inner, RUNT_SUB_L_TARGET, &l->target, RUNT_SUB_L_PATH, &l->path, "bad SYMLINK record");
    }
    case RUNT_TAG_SYSCTL: {
      if (room(P.nsysctls, MAX_SYSCTLS, "too many sysctls") < 0) return -1;
      struct sysctl_op *s = &P.sysctls[P.nsysctls++];
      return decode_pair(&inner, RUNT_SUB_S_KEY, &s->key, RUNT_SUB_S_VALUE, &s->value, "bad SYSCTL record");
    }
    case RUNT_TAG_NET_DEVICE: {
      if (room(P.nnet_devices, MAX_NET_DEVICES, "too many net devices") < 0) return -1;
      struct net_device_op *d = &P.net_devices[P.nnet_devices++];
      return decode_pair(&inner, RUNT_SUB_ND_HOST_NAME, &d->host_name, RUNT_SUB_ND_NAME, &d->name, "bad NET_DEVICE record");
    }
    case RUNT_TAG_RLIMIT: {
      if (room(P.nrlimits, MAX_RLIMITS, "too many rlimits") < 0) return -1;
      if (decode_numbers(&inner, v, 3, "bad RLIMIT record") < 0) return -1;
      P.rlimits[P.nrlimits++] = (struct rlimit_op){(int)v[0], v[1], v[2]};
      return 0;
    }
    case RUNT_TAG_SCHEDULER:
      if (decode_numbers(&inner, P.sched, 7, "bad SCHEDULER record") < 0) return -1;
      P.has_scheduler = 1;
      return 0;
    case RUNT_TAG_MEMORY_POLICY:
      return decode_memory_policy(&inner);
    case RUNT_TAG_HOOK:
      if (room(P.nhooks, MAX_HOOKS, "too many hooks") < 0) return -1;
      return decode_hook(&inner, &P.hooks[P.nhooks++]);
    case RUNT_TAG_CAPS:
      if (decode_numbers(&inner, v, 5, "bad CAPS record") < 0) return -1;
      P.has_caps = 1;
      P.cap_bounding = v[RUNT_SUB_C_BOUNDING - 1];
      P.cap_effective = v[RUNT_SUB_C_EFFECTIVE - 1];
      P.cap_permitted = v[RUNT_SUB_C_PERMITTED - 1];
      P.cap_inheritable = v[RUNT_SUB_C_INHERITABLE - 1];
      P.cap_ambient = v[RUNT_SUB_C_AMBIENT - 1];
      return 0;
    case RUNT_TAG_CONSOLE_SIZE:
      if (decode_numbers(&inner, v, 2, "bad CONSOLE_SIZE record") < 0) return -1;
      P.has_console_size = 1;
      P.console_height = v[RUNT_SUB_CS_HEIGHT - 1];
      P.console_width = v[RUNT_SUB_CS_WIDTH - 1];
      return 0;
  }
  return reject("unknown tag", EINVAL);
}

static int decode_scalar(const struct rec *r) {
  uint64_t v;
  switch (r->tag) {
    case RUNT_TAG_MODE:
      if (num(r, &v) < 0) return -1;
      if (v != MODE_INIT && v != MODE_JOIN) return reject("unknown MODE", EINVAL);
      P.mode = (int)v;
      return 0;
    case RUNT_TAG_CLONE_FLAGS: return num(r, &P.clone_flags);
    case RUNT_TAG_ROOTFS: return cstr(r, &P.rootfs);
    case RUNT_TAG_ROOT_PROPAGATION: if (num(r, &v) < 0) return -1; P.root_propagation = v; return 0;
    case RUNT_TAG_ROOTFS_PROPAGATION: if (num(r, &v) < 0) return -1; P.rootfs_propagation = v; return 0;
    case RUNT_TAG_READONLY_ROOTFS: return flag(r, &P.readonly_rootfs);
    case RUNT_TAG_NO_PIVOT: return flag(r, &P.no_pivot);
    case RUNT_TAG_MASKED_PATH:
      if (room(P.nmasked, MAX_PATHS, "too many masked paths") < 0) return -1;
      return cstr(r, &P.masked[P.nmasked++]);
    case RUNT_TAG_READONLY_PATH:
      if (room(P.nreadonly, MAX_PATHS, "too many read-only paths") < 0) return -1;
      return cstr(r, &P.readonly[P.nreadonly++]);
    case RUNT_TAG_HOSTNAME: return cstr(r, &P.hostname);
    case RUNT_TAG_DOMAINNAME: return cstr(r, &P.domainname);
    case RUNT_TAG_HOOK_PAUSE: return flag(r, &P.hook_pause);
    case RUNT_TAG_ARG:
      if (room(P.nargs, MAX_ARGS, "too many args") < 0) return -1;
      return str(r, &P.args[P.nargs++]);
    case RUNT_TAG_ENV:
      if (room(P.nenv, MAX_ENV, "too many env entries") < 0) return -1;
      return str(r, &P.env[P.nenv++]);
    case RUNT_TAG_CWD: return cstr(r, &P.cwd);
    case RUNT_TAG_UID: return num(r, &P.uid);
    case RUNT_TAG_GID: return num(r, &P.gid);
    case RUNT_TAG_ADDITIONAL_GID:
      if (room(P.ngids, MAX_GIDS, "too many additional gids") < 0 || num(r, &v) < 0) return -1;
      P.gids[P.ngids++] = (gid_t)v;
      return 0;
    case RUNT_TAG_UMASK: P.has_umask = 1; return num(r, &P.umask);
    case RUNT_TAG_NO_NEW_PRIVS: return flag(r, &P.no_new_privs);
    case RUNT_TAG_OOM_SCORE_ADJ:
      if (num(r, &v) < 0) return -1;
      P.has_oom_score_adj = 1;
      P.oom_score_adj = (int64_t)v;
      return 0;
    case RUNT_TAG_TERMINAL: return flag(r, &P.terminal);
    case RUNT_TAG_PRESERVE_FDS: return num(r, &P.preserve_fds);
    case RUNT_TAG_NEW_KEYRING: return flag(r, &P.new_keyring);
    case RUNT_TAG_CPU_AFFINITY_INITIAL: return cstr(r, &P.affinity_initial);
    case RUNT_TAG_CPU_AFFINITY_FINAL: return cstr(r, &P.affinity_final);
    case RUNT_TAG_SECCOMP_FILTER:
      /* struct sock_filter is 8 bytes; the kernel takes at most BPF_MAXINSNS of them */
      if (r->len == 0 || r->len % 8 != 0) return reject("SECCOMP_FILTER is not a whole number of instructions", EINVAL);
      if (r->len / 8 > MAX_SECCOMP_INSNS) return reject("SECCOMP_FILTER has too many instructions", E2BIG);
      P.seccomp_filter = r->data;
      P.seccomp_insns = r->len / 8;
      return 0;
    case RUNT_TAG_SECCOMP_FLAGS: return num(r, &P.seccomp_flags);
    case RUNT_TAG_IO_PRIORITY: P.has_ioprio = 1; return num(r, &P.ioprio);
    case RUNT_TAG_PERSONALITY: P.has_personality = 1; return num(r, &P.personality);
    case RUNT_TAG_APPARMOR_PROFILE: return cstr(r, &P.apparmor_profile);
    case RUNT_TAG_SELINUX_LABEL: return cstr(r, &P.selinux_label);
    case RUNT_TAG_TEST_STOP_AT: return cstr(r, &P.test_stop_at);
  }
  return decode_record(r);
}

int plan_decode(char *buf, size_t len, const char **why) {
  size_t magic_len = sizeof RUNT_PLAN_MAGIC - 1;
  memset(&P, 0, sizeof P);
  P.new_keyring = 1;
  P.cwd = "/";
  bad = NULL;
  if (len < magic_len || memcmp(buf, RUNT_PLAN_MAGIC, magic_len) != 0) {
    *why = "bad magic";
    errno = EINVAL;
    return -1;
  }
  struct cursor c = {buf + magic_len, buf + len};
  struct rec r;
  int got;
  while ((got = next_rec(&c, &r)) > 0)
    if (decode_scalar(&r) < 0) break;
  if (got != 0) { /* stopped at a bad record */
    *why = bad;
    return -1;
  }
  if (P.nargs == 0) {
    *why = "no ARG";
    errno = EINVAL;
    return -1;
  }
  if (P.mode == MODE_INIT && !P.rootfs) {
    *why = "no ROOTFS";
    errno = EINVAL;
    return -1;
  }
  if (P.seccomp_flags && !P.seccomp_filter) {
    *why = "SECCOMP_FLAGS without SECCOMP_FILTER";
    errno = EINVAL;
    return -1;
  }
  P.args[P.nargs] = NULL;
  P.env[P.nenv] = NULL;
  return 0;
}
