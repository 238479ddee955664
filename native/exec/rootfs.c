/* The container's root filesystem: mounts, devices and symlinks inside the rootfs (every
 * path resolved with openat2 so a symlink can never lead out of it), pivot_root, then
 * the masked and read-only paths, sysctls and names of the finished root. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "exec/exec.h"

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

static int rootfd = -1; /* the rootfs after it was bind-mounted onto itself */

/* What a cgroup2 mount the kernel refuses falls back to binding (remember_cgroup2_dir) */
static char cgroup2_dir[PATH_MAX];

/* Where the host's cgroup2 is mounted (runc's fs2.UnifiedMountpoint). */
#define CGROUP2_MOUNTPOINT "/sys/fs/cgroup"

/* Called in the host's cgroup namespace, once the process is in its cgroup: the host
 * path of that cgroup (with a cgroup namespace coming: the container's root of it), or
 * the whole hierarchy without one. Only read when the plan mounts cgroup2. */
void remember_cgroup2_dir(void) {
  int wanted = 0;
  for (int i = 0; i < P.nmounts; i++)
    if (!(P.mounts[i].flags & MS_BIND) && strcmp(P.mounts[i].fstype, "cgroup2") == 0) wanted = 1;
  if (!wanted) return;
  strcpy(cgroup2_dir, CGROUP2_MOUNTPOINT);
  if (!(P.clone_flags & CLONE_NEWCGROUP)) return;
  char buf[PATH_MAX];
  int fd = open("/proc/self/cgroup", O_RDONLY | O_CLOEXEC);
  if (fd < 0) die("open", "/proc/self/cgroup");
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n < 0) die("read", "/proc/self/cgroup");
  buf[n] = '\0';
  /* the unified hierarchy's line is "0::<path>" */
  char *line = strncmp(buf, "0::", 3) == 0 ? buf : strstr(buf, "\n0::");
  if (!line) { cgroup2_dir[0] = '\0'; return; } /* no cgroup2 here: no fallback */
  line += line == buf ? 3 : 4;
  size_t len = strcspn(line, "\n");
  if (strlen(CGROUP2_MOUNTPOINT) + len + 1 > sizeof cgroup2_dir) fail(ENAMETOOLONG, "cgroup", line);
  if (len > 1) memcpy(cgroup2_dir + strlen(CGROUP2_MOUNTPOINT), line, len); /* "/" is the root itself */
  cgroup2_dir[strlen(CGROUP2_MOUNTPOINT) + (len > 1 ? len : 0)] = '\0';
}

/* openat2 inside the rootfs: ".." and absolute symlinks stay within it */
static int open_in_root(const char *path, int flags) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (uint64_t)(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

#define MAX_LINK_DEPTH 8

static int mkdir_all_depth(const char *path, const char *step, int depth);

/* Create the missing target of the dangling symlink name (in dirfd, reached as parent)
 * inside the rootfs, as resolving through the link will need it. */
static void create_link_target(int dirfd, const char *parent, size_t parent_len, const char *name, const char *step,
                               int depth) {
  char target[PATH_MAX], joined[PATH_MAX];
  ssize_t n = readlinkat(dirfd, name, target, sizeof target - 1);
  if (n < 0) die(step, name);
  target[n] = '\0';
  if (depth >= MAX_LINK_DEPTH) fail(ELOOP, step, target);
  if (target[0] != '/') { /* relative to the directory holding the link */
    if (parent_len + 1 + (size_t)n >= sizeof joined) fail(ENAMETOOLONG, step, target);
    memcpy(joined, parent, parent_len);
    joined[parent_len] = '/';
    memcpy(joined + parent_len + 1, target, (size_t)n + 1);
    close(mkdir_all_depth(joined, step, depth + 1));
  } else {
    close(mkdir_all_depth(target, step, depth + 1));
  }
}

/* The directory at path inside the rootfs, created component by component (mode 0755)
 * where missing; each new directory is made relative to its verified parent, and a
 * dangling symlink on the way gets its target created inside the rootfs (as runc does). */
static int mkdir_all_depth(const char *path, const char *step, int depth) {
  char prefix[PATH_MAX], name[PATH_MAX];
  size_t len = strlen(path);
  if (len >= sizeof prefix) fail(ENAMETOOLONG, step, path);
  int fd = open_in_root("/", O_PATH | O_DIRECTORY);
  if (fd < 0) die(step, "/");
  size_t i = 0;
  while (i < len) {
    while (i < len && path[i] == '/') i++;
    size_t start = i;
    while (i < len && path[i] != '/') i++;
    if (i == start) break;
    memcpy(name, path + start, i - start);
    name[i - start] = '\0';
    memcpy(prefix, path, i);
    prefix[i] = '\0';
    int next = open_in_root(prefix, O_PATH | O_DIRECTORY);
    if (next < 0 && errno == ENOENT) {
      if (mkdirat(fd, name, 0755) < 0) {
        if (errno != EEXIST) die(step, prefix);
        create_link_target(fd, path, start, name, step, depth);
      }
      next = open_in_root(prefix, O_PATH | O_DIRECTORY);
    }
    if (next < 0) die(step, prefix);
    close(fd);
    fd = next;
  }
  return fd;
}

static int mkdir_all_in_root(const char *path, const char *step) {
  return mkdir_all_depth(path, step, 0);
}

/* The directory holding path (created when missing); *name gets the last component. */
static int open_parent_in_root(const char *path, const char **name, const char *step) {
  char dir[PATH_MAX];
  const char *slash = strrchr(path, '/');
  if (!slash || slash[1] == '\0' || strcmp(slash + 1, ".") == 0 || strcmp(slash + 1, "..") == 0)
    fail(EINVAL, step, path);
  size_t dlen = (size_t)(slash - path);
  if (dlen >= sizeof dir) fail(ENAMETOOLONG, step, path);
  memcpy(dir, path, dlen);
  dir[dlen] = '\0';
  *name = slash + 1;
  return mkdir_all_in_root(dlen ? dir : "/", step);
}

/* An empty regular file at name in dirfd unless something is there already. */
static void create_empty_file(int dirfd, const char *name, const char *step, const char *path) {
  int fd = openat(dirfd, name, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd < 0 && errno != EEXIST && errno != ELOOP) die(step, path);
  if (fd >= 0) close(fd);
}

/* O_PATH descriptor of path inside the rootfs, creating it (a directory, or an empty
 * file) and its parents when missing. */
static int resolve_or_create(const char *path, int create_file, const char *step) {
  int fd = open_in_root(path, O_PATH);
  if (fd >= 0) return fd;
  if (errno != ENOENT) die(step, path);
  if (create_file) {
    const char *name;
    int dirfd = open_parent_in_root(path, &name, step);
    create_empty_file(dirfd, name, step, path);
    close(dirfd);
  } else {
    close(mkdir_all_in_root(path, step));
  }
  fd = open_in_root(path, O_PATH);
  if (fd < 0) die(step, path);
  return fd;
}

/* The flags of the mount at fd that a remount must repeat: in a user namespace the
 * kernel refuses a remount that would clear them ("locked" flags). */
unsigned long locked_mount_flags(int fd) {
  static const struct { unsigned long st, ms; } map[] = {
      {ST_RDONLY, MS_RDONLY},     {ST_NOSUID, MS_NOSUID},         {ST_NODEV, MS_NODEV},
      {ST_NOEXEC, MS_NOEXEC},     {ST_NOATIME, MS_NOATIME},       {ST_NODIRATIME, MS_NODIRATIME},
      {ST_RELATIME, MS_RELATIME},
  };
  struct statvfs sv;
  if (fstatvfs(fd, &sv) < 0) die("statvfs", "");
  unsigned long flags = 0;
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (sv.f_flag & map[i].st) flags |= map[i].ms;
  return flags;
}

/* Remount, propagation and mount_setattr of a fresh mount, through a new descriptor of
 * its destination (the one used for mounting still names the covered directory). */
static void finish_mount(const struct mount_op *m) {
  char target[64];
  int fd = open_in_root(m->dest, O_PATH);
  if (fd < 0) die("mount", m->dest);
  fd_path(target, sizeof target, fd);
  unsigned long extra = m->flags & ~(unsigned long)(MS_BIND | MS_REC | MS_REMOUNT);
  if ((m->flags & MS_BIND) && extra) {
    if (in_user_ns()) extra |= locked_mount_flags(fd);
    if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | extra, NULL) < 0) die("remount", m->dest);
  }
  for (int i = 0; i < m->npropagation; i++)
    if (mount(NULL, target, NULL, m->propagation[i], NULL) < 0) die("mount propagation", m->dest);
  if (m->attr_set || m->attr_clr) {
    struct mount_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.attr_set = m->attr_set;
    attr.attr_clr = m->attr_clr;
    if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
      die("mount_setattr", m->dest);
  }
  close(fd);
}

static void mount_one(struct mount_op *m) {
  char target[64];
  int fd = resolve_or_create(m->dest, m->create_file, "mount");
  fd_path(target, sizeof target, fd);
  /* tmpcopyup: this descriptor keeps reaching the directory the tmpfs will cover */
  int covered = -1;
  if (m->tmpcopyup && (covered = open_in_root(m->dest, O_RDONLY | O_DIRECTORY)) < 0) die("tmpcopyup: open", m->dest);
  int rc;
  if (m->tree_fd >= 0) { /* the idmapped tree made in the host's namespaces (idmap.c) */
    rc = (int)syscall(SYS_move_mount, m->tree_fd, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
    close(m->tree_fd);
    m->tree_fd = -1;
  } else if (m->flags & MS_BIND) {
    rc = mount(m->source, target, NULL, MS_BIND | (m->flags & MS_REC), NULL);
  } else {
    rc = mount(m->source, target, m->fstype, m->flags, m->data[0] ? m->data : NULL);
  }
  struct mount_op bound;
  if (rc < 0 && (errno == EPERM || errno == EBUSY) && strcmp(m->fstype, "cgroup2") == 0 && cgroup2_dir[0]) {
    /* As runc: a user namespace may not mount cgroup2 (EPERM), and where the cgroup
     * namespace's root is the very root already mounted there (a rootless container in
     * the host's root cgroup) the kernel refuses a second one (EBUSY): bind the
     * container's cgroup directory instead, with the mount's flags. */
    rc = mount(cgroup2_dir, target, NULL, MS_BIND | MS_REC, NULL);
    bound = *m;
    bound.flags |= MS_BIND | MS_REC;
    m = &bound;
  }
  if (rc < 0) die("mount", m->dest);
  close(fd);
  if (covered >= 0) {
    int fresh = open_in_root(m->dest, O_RDONLY | O_DIRECTORY);
    if (fresh < 0) die("tmpcopyup: open", m->dest);
    copy_tree(covered, fresh, m->dest);
    close(fresh);
    close(covered);
  }
  finish_mount(m);
}

static void make_device(const struct device_op *d) {
  const char *name;
  int dirfd = open_parent_in_root(d->path, &name, "mknod");
  if (d->bind) {
    /* no mknod in a user namespace: bind the host's node onto an empty file */
    char target[64];
    create_empty_file(dirfd, name, "mknod", d->path);
    int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) die("mknod", d->path);
    fd_path(target, sizeof target, fd);
    if (mount(d->path, target, NULL, MS_BIND, NULL) < 0) die("mount", d->path);
    close(fd);
  } else {
    mode_t type = d->type == 'c' ? S_IFCHR : d->type == 'b' ? S_IFBLK : S_IFIFO;
    mode_t perm = (mode_t)(d->mode & 07777);
    if (mknodat(dirfd, name, type | perm, makedev(d->major, d->minor)) < 0) {
      if (errno != EEXIST) die("mknod", d->path);
    } else {
      /* mknod applied the umask; set the exact mode, then the owner */
      if (fchmodat(dirfd, name, perm, 0) < 0) die("chmod", d->path);
      if (fchownat(dirfd, name, (uid_t)d->uid, (gid_t)d->gid, AT_SYMLINK_NOFOLLOW) < 0) die("chown", d->path);
    }
  }
  close(dirfd);
}

static void make_symlink(const struct symlink_op *l) {
  const char *name;
  int dirfd = open_parent_in_root(l->path, &name, "symlink");
  if (symlinkat(l->target, dirfd, name) < 0 && errno != EEXIST) die("symlink", l->path);
  close(dirfd);
}

static int rootfs_touched(void) {
  return P.nmounts || P.ndevices || P.nsymlinks || P.nmasked || P.nreadonly || P.readonly_rootfs;
}

static uint64_t mount_id_of(const char *path) {
  struct statx stx;
  if (statx(AT_FDCWD, path, 0, STATX_MNT_ID, &stx) < 0) die("statx", path);
  return stx.stx_mnt_id;
}

/* pivot_root and MS_MOVE refuse a mount whose parent mount is shared, as it is after
 * an "rshared" root propagation: make the mount holding the rootfs private. Its mount
 * point is the highest ancestor of the rootfs still on the same mount. */
static void make_rootfs_parent_private(void) {
  char point[PATH_MAX];
  size_t len = strlen(P.rootfs);
  if (len >= sizeof point) fail(ENAMETOOLONG, "mount propagation", P.rootfs);
  memcpy(point, P.rootfs, len + 1);
  uint64_t id = mount_id_of(point);
  for (;;) {
    char *slash = strrchr(point, '/');
    if (!slash || slash == point) {
      if (mount_id_of("/") == id) strcpy(point, "/");
      break;
    }
    *slash = '\0';
    if (mount_id_of(point) != id) {
      *slash = '/';
      break;
    }
  }
  if (mount(NULL, point, NULL, MS_PRIVATE, NULL) < 0) die("mount propagation", point);
}

void prepare_rootfs(void) {
  if (!in_new_mount_ns()) {
    /* mounting in the host's mount namespace would change the host */
    if (rootfs_touched()) fail(EINVAL, "rootfs", "mounts need a mount namespace");
    return;
  }
  /* never let a mount made here propagate back to the host (unless asked: rshared) */
  unsigned long prop = P.root_propagation ? P.root_propagation : MS_SLAVE;
  if (mount(NULL, "/", NULL, MS_REC | prop, NULL) < 0) die("mount propagation", "/");
  if (prop & MS_SHARED) make_rootfs_parent_private();
  if (mount(P.rootfs, P.rootfs, NULL, MS_BIND | MS_REC, NULL) < 0) die("mount", P.rootfs);
  rootfd = open(P.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0) die("open", P.rootfs);
  for (int i = 0; i < P.nmounts; i++) mount_one(&P.mounts[i]);
  for (int i = 0; i < P.ndevices; i++) make_device(&P.devices[i]);
  for (int i = 0; i < P.nsymlinks; i++) make_symlink(&P.symlinks[i]);
}

void enter_rootfs(void) {
  if (chdir(P.rootfs) < 0) die("chdir", P.rootfs);
  if (!in_new_mount_ns()) {
    if (chroot(".") < 0) die("chroot", P.rootfs);
  } else if (P.no_pivot) {
    if (mount(P.rootfs, "/", NULL, MS_MOVE, NULL) < 0) die("mount move", P.rootfs);
    if (chroot(".") < 0) die("chroot", P.rootfs);
  } else {
    /* pivot onto itself, then detach the old root stacked underneath */
    if (syscall(SYS_pivot_root, ".", ".") < 0) die("pivot_root", P.rootfs);
    if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0) die("mount propagation", "old root");
    if (umount2(".", MNT_DETACH) < 0) die("umount", "old root");
  }
  if (chdir("/") < 0) die("chdir", "/");
  if (rootfd >= 0) close(rootfd);
  rootfd = -1;
  if (P.rootfs_propagation && mount(NULL, "/", NULL, P.rootfs_propagation, NULL) < 0)
    die("mount propagation", "/");
}

/* After pivot_root, mounts are made between descriptors (open_tree, fsmount,
 * move_mount), never through /proc/self/fd paths: the container's /proc may be a fake
 * that sends such a path anywhere (CVE-2025-31133, CVE-2025-52881). */

/* A detached bind of what fd names (with its submounts when recursive). */
static int clone_tree(int fd, int recursive, const char *step, const char *path) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  int tree = (int)syscall(SYS_open_tree, fd, "", flags);
  if (tree < 0) die(step, path);
  return tree;
}

/* Mount the detached tree on top of exactly what target names; closes tree. */
static void attach_tree(int tree, int target, const char *step, const char *path) {
  if (syscall(SYS_move_mount, tree, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    die(step, path);
  close(tree);
}

void bind_fd_over(int source, int target, const char *step, const char *path) {
  attach_tree(clone_tree(source, 0, step, path), target, step, path);
}

/* /dev/null, checked to be the real null device before it is bound over anything */
static int open_dev_null(void) {
  struct stat st;
  int fd = open("/dev/null", O_PATH | O_CLOEXEC);
  if (fd < 0) die("mask", "/dev/null");
  if (fstat(fd, &st) < 0) die("mask", "/dev/null");
  if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) fail(EPERM, "mask", "/dev/null (not the null device 1:3)");
  return fd;
}

static void mask_path(const char *path, int null_fd) {
  struct stat st;
  int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return;
  if (fd < 0) die("mask", path);
  if (fstat(fd, &st) < 0) die("mask", path);
  if (S_ISDIR(st.st_mode)) {
    int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
    if (fs < 0) die("mask", path);
    if (syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) die("mask", path);
    int tree = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
    if (tree < 0) die("mask", path);
    close(fs);
    attach_tree(tree, fd, "mask", path);
  } else if (!S_ISLNK(st.st_mode)) {
    bind_fd_over(null_fd, fd, "mask", path);
  }
  close(fd);
}

static void readonly_path(const char *path) {
  int fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) return;
  if (fd < 0) die("readonly", path);
  /* a recursive bind made read-only at its top, as runc's bind + remount */
  int tree = clone_tree(fd, 1, "readonly", path);
  struct mount_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0) die("readonly", path);
  attach_tree(tree, fd, "readonly", path);
  close(fd);
}

static void readonly_root(void) {
  int fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) die("readonly rootfs", "/");
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | locked_mount_flags(fd);
  close(fd);
  if (mount(NULL, "/", NULL, flags, NULL) < 0) die("readonly rootfs", "/");
}

void finish_rootfs(void) {
  if (!in_new_mount_ns()) return;
  for (int i = 0; i < P.nreadonly; i++) readonly_path(P.readonly[i]);
  if (P.nmasked) {
    int null_fd = open_dev_null();
    for (int i = 0; i < P.nmasked; i++) mask_path(P.masked[i], null_fd);
    close(null_fd);
  }
  if (P.readonly_rootfs) readonly_root();
}

void set_host_and_domain_names(void) {
  if ((P.hostname || P.domainname) && !has_uts_ns()) fail(EINVAL, "sethostname", "no UTS namespace");
  if (P.hostname && sethostname(P.hostname, strlen(P.hostname)) < 0) die("sethostname", P.hostname);
  if (P.domainname && setdomainname(P.domainname, strlen(P.domainname)) < 0) die("setdomainname", P.domainname);
}

void apply_sysctls(void) {
  static const char prefix[] = "sys/";
  for (int i = 0; i < P.nsysctls; i++) {
    char rel[PATH_MAX];
    const char *key = P.sysctls[i].key;
    size_t len = strlen(key);
    if (sizeof prefix - 1 + len >= sizeof rel) fail(ENAMETOOLONG, "sysctl", key);
    memcpy(rel, prefix, sizeof prefix - 1);
    for (size_t j = 0; j <= len; j++) rel[sizeof prefix - 1 + j] = key[j] == '.' ? '/' : key[j];
    if (key[0] == '.') fail(EINVAL, "sysctl", key); /* every '.' became '/': no ".." is left */
    /* only the real procfs file: no tmpfs over /proc, no mount over the file */
    int fd = open_proc_file(rel, O_WRONLY, "sysctl");
    if (fd < 0) die("sysctl", key);
    const char *value = P.sysctls[i].value;
    if (write_and_close(fd, value, strlen(value)) < 0) die("sysctl", key);
  }
  close_proc_root();
}
