/* Idmapped bind mounts (config.md "idmap"/"ridmap", mount uidMappings/gidMappings).
 *
 * Made here, by stage 1 of the executor while it is still root in the host's user and
 * mount namespaces: mount_setattr(MOUNT_ATTR_IDMAP) needs CAP_SYS_ADMIN over the user
 * namespace that carries the mapping, which the container's init (inside its own user
 * namespace) does not have over a sibling namespace. For each idmapped bind:
 *   - a helper child is cloned into a new user namespace; we write its uid_map and
 *     gid_map (as the runtime does for the container's init), keep a descriptor of the
 *     namespace and let the helper go;
 *   - open_tree(OPEN_TREE_CLONE) copies the source (with its submounts for rbind) into a
 *     detached tree, and mount_setattr applies the namespace's mapping to it (to every
 *     submount too for "ridmap").
 * The init inherits the tree's descriptor and move_mount()s it onto the destination
 * (mount_one in rootfs.c). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/exec.h"

/* A descriptor of a new user namespace with the given maps. */
static int mapped_user_ns(const char *uid_map, const char *gid_map, const char *source) {
  pid_t self = getpid();
  pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
  if (pid < 0) die("idmap: clone user namespace", source);
  if (pid == 0) {
    /* only holds the namespace open until we have its descriptor; never outlives us */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0 || getppid() != self) _exit(0);
    for (;;) pause();
  }
  char file[64], num[21];
  format_u64(num, (uint64_t)pid);
  int err = 0;
  const char *step = "idmap: uid_map";
  size_t plen = strlen("/proc/");
  memcpy(file, "/proc/", plen);
  memcpy(file + plen, num, strlen(num) + 1);
  int procfd = open(file, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int nsfd = -1;
  if (procfd < 0) {
    err = errno;
    step = "idmap: open helper";
  } else if (write_file_at(procfd, "uid_map", uid_map, strlen(uid_map), 0) < 0) {
    err = errno;
  } else if (write_file_at(procfd, "gid_map", gid_map, strlen(gid_map), 0) < 0) {
    err = errno;
    step = "idmap: gid_map";
  } else if ((nsfd = openat(procfd, "ns/user", O_RDONLY | O_CLOEXEC)) < 0) {
    err = errno;
    step = "idmap: open user namespace";
  }
  if (procfd >= 0) close(procfd);
  kill(pid, SIGKILL);
  while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
  }
  if (err) fail(err, step, source);
  return nsfd;
}

static void idmap_one(struct mount_op *m) {
  int userns = mapped_user_ns(m->uid_map, m->gid_map, m->source);
  unsigned clone_flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | ((m->flags & MS_REC) ? AT_RECURSIVE : 0);
  int tree = (int)syscall(SYS_open_tree, AT_FDCWD, m->source, clone_flags);
  if (tree < 0) die("idmap: open_tree", m->source);
  struct mount_attr attr;
  memset(&attr, 0, sizeof attr);
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = (uint64_t)userns;
  unsigned at = AT_EMPTY_PATH | (m->idmap == 2 ? AT_RECURSIVE : 0);
  if (syscall(SYS_mount_setattr, tree, "", at, &attr, sizeof attr) < 0) die("idmap: mount_setattr", m->source);
  close(userns);
  m->tree_fd = tree;
}

void prepare_idmapped_mounts(void) {
  for (int i = 0; i < P.nmounts; i++)
    if (P.mounts[i].idmap) idmap_one(&P.mounts[i]);
}
