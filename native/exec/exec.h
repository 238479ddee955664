/* runt-exec: the executor that turns a decoded launch plan into a container process.
 * Single-threaded and static; after the plan is decoded nothing allocates. */
#ifndef RUNT_EXEC_H
#define RUNT_EXEC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Fixed caps of the decoded plan; a plan over a cap is rejected (step "plan"). */
#define MAX_JOIN_NS 16
#define MAX_TIME_OFFSETS 4
#define MAX_MOUNTS 512
#define MAX_PROPAGATION 8
#define MAX_DEVICES 512
#define MAX_SYMLINKS 512
#define MAX_PATHS 512
#define MAX_SYSCTLS 512
#define MAX_ARGS 4096
#define MAX_ENV 4096
#define MAX_GIDS 1024
#define MAX_RLIMITS 64
#define MAX_HOOKS 32
#define MAX_NUMA_NODES 1024
#define MAX_HOOK_ARGS 256
#define MAX_HOOK_ENV 256
#define MAX_NET_DEVICES 64
#define MAX_PLAN_BYTES (64u << 20)
#define MAX_SECCOMP_INSNS 4096 /* BPF_MAXINSNS */

enum plan_mode { MODE_INIT = 0, MODE_JOIN = 1 };

struct join_ns {
  const char *type;
  const char *path;
  int nstype; /* CLONE_NEW* */
};

struct time_offset {
  const char *clock;
  int64_t secs;
  int64_t nsecs;
};

struct mount_op {
  const char *dest, *source, *fstype, *data;
  unsigned long flags;
  unsigned long propagation[MAX_PROPAGATION];
  int npropagation;
  uint64_t attr_set, attr_clr;
  int create_file;
  int tmpcopyup;
  int idmap; /* 0 none, 1 the mount, 2 the mount and its submounts */
  const char *uid_map, *gid_map; /* uid_map / gid_map text of the mount's user namespace */
  int tree_fd; /* idmap: the detached, idmapped copy of the source (prepare_idmapped_mounts) */
};

struct net_device_op {
  const char *host_name, *name;
};

struct device_op {
  const char *path;
  int type; /* 'c', 'b' or 'p' */
  uint64_t major, minor, mode, uid, gid;
  int bind;
};

struct symlink_op {
  const char *target, *path;
};

struct sysctl_op {
  const char *key, *value;
};

struct rlimit_op {
  int resource;
  uint64_t soft, hard;
};

enum hook_phase { HOOK_CREATE_CONTAINER = 0, HOOK_START_CONTAINER = 1 };

/* a hook run inside the container: execve(path, args, env) with a timeout (0: none) */
struct hook_op {
  int phase;
  const char *path;
  char *args[MAX_HOOK_ARGS + 1];
  int nargs;
  char *env[MAX_HOOK_ENV + 1];
  int nenv;
  uint64_t timeout;
};

struct plan {
  int mode;
  uint64_t clone_flags;
  struct join_ns join[MAX_JOIN_NS];
  int njoin;
  struct time_offset time_offsets[MAX_TIME_OFFSETS];
  int ntime_offsets;

  const char *rootfs;
  unsigned long root_propagation, rootfs_propagation;
  int readonly_rootfs, no_pivot;
  struct mount_op mounts[MAX_MOUNTS];
  int nmounts;
  struct device_op devices[MAX_DEVICES];
  int ndevices;
  struct symlink_op symlinks[MAX_SYMLINKS];
  int nsymlinks;
  const char *masked[MAX_PATHS];
  int nmasked;
  const char *readonly[MAX_PATHS];
  int nreadonly;
  const char *hostname, *domainname; /* NULL: leave alone */
  struct sysctl_op sysctls[MAX_SYSCTLS];
  int nsysctls;
  struct net_device_op net_devices[MAX_NET_DEVICES];
  int nnet_devices;
  int hook_pause;
  struct hook_op hooks[MAX_HOOKS];
  int nhooks;

  char *args[MAX_ARGS + 1];
  int nargs;
  char *env[MAX_ENV + 1];
  int nenv;
  const char *cwd;
  uint64_t uid, gid;
  gid_t gids[MAX_GIDS];
  int ngids;
  int has_umask;
  uint64_t umask;
  struct rlimit_op rlimits[MAX_RLIMITS];
  int nrlimits;
  int has_caps;
  uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
  int no_new_privs;
  int has_oom_score_adj;
  int64_t oom_score_adj;
  int terminal;
  int has_console_size;
  uint64_t console_height, console_width;
  uint64_t preserve_fds;
  int new_keyring;
  const char *affinity_initial, *affinity_final; /* "0,1,5"; NULL: leave alone */
  const char *seccomp_filter; /* struct sock_filter[seccomp_insns]; NULL: no filter */
  uint32_t seccomp_insns;
  uint64_t seccomp_flags;
  int has_scheduler;
  uint64_t sched[7]; /* policy, nice (signed), priority, flags, runtime, deadline, period */
  int has_ioprio, has_personality, has_mempolicy;
  uint64_t ioprio, personality;
  uint64_t mempolicy_mode, mempolicy_flags;
  unsigned long mempolicy_nodes[MAX_NUMA_NODES / (8 * sizeof(unsigned long))];
  const char *apparmor_profile, *selinux_label; /* applied at execve; NULL: leave alone */
  const char *test_stop_at; /* tests only: stop_point() names; NULL: never stop */
};

/* descriptors handed over on the command line, -1 when absent */
struct exec_fds {
  int sync, fifo, console;
};

extern struct plan P;
extern struct exec_fds FDS;

/* plan.c: decode buf (kept alive: strings point into it); 0, or -1 with errno and *why set */
int plan_decode(char *buf, size_t len, const char **why);

/* sync.c: messages on the sync socket, and the one way to fail */
int send_msg(uint32_t type, const void *payload, uint32_t len);
int send_u64(uint32_t type, uint64_t value);
void wait_continue(void); /* returns on CONTINUE; exits quietly on ABORT or EOF */
char *read_plan_frame(size_t *len);
void wait_hook_states(void); /* HOOK_STATE (when there are container hooks), then CONTINUE */
void report_to_fifo(int fd); /* after CREATED, failures go to `start` through the exec fifo */
void mark_created(void); /* from now on failures can only be written to stderr */
__attribute__((noreturn)) void fail(int err, const char *step, const char *path);
__attribute__((noreturn)) void die(const char *step, const char *path); /* fail(errno, ...) */
__attribute__((noreturn)) void fail_detail(int err, const char *step, const char *path, const char *detail);

/* hooks.c */
void set_hook_states(char *payload, size_t len);
int has_hooks(int phase);
void run_hooks(int phase);

/* namespaces.c */
void join_namespaces(void);
void setup_time_namespace(void);
pid_t clone_parent(unsigned long flags);
int in_new_mount_ns(void);
int in_user_ns(void);
int has_uts_ns(void);

/* rootfs.c */
void remember_cgroup2_dir(void);
void prepare_rootfs(void);
void enter_rootfs(void);
void finish_rootfs(void);
void set_host_and_domain_names(void);
void apply_sysctls(void);
unsigned long locked_mount_flags(int fd);
void bind_fd_over(int source, int target, const char *step, const char *path); /* open_tree + move_mount */

/* procfs.c: a verified private procfs for what is written after pivot_root */
int proc_root_fd(const char *step);
void close_proc_root(void);
int open_proc_file(const char *rel, int flags, const char *step); /* -1 with errno */
int reopen_fd(int fd, int flags, const char *step); /* through /proc/self/fd, verified to be fd's file */

/* idmap.c: detached idmapped copies of the idmapped binds' sources, made in the host's
 * namespaces before the container's are created (mount_one moves them into place) */
void prepare_idmapped_mounts(void);

/* copyup.c: the tree under src copied into dst (owners, modes, times kept) */
void copy_tree(int src, int dst, const char *path);

/* netdev.c: linux.netDevices; take_net_devices runs in the host's network namespace,
 * move_net_devices in the container's */
void take_net_devices(void);
void move_net_devices(void);

/* console.c */
void setup_terminal(int mount_console);

/* process.c */
void apply_oom_score_adj(void);
void apply_rlimits(void);
void apply_cpu_affinity(const char *list, const char *which);
void read_cap_last_cap(void);
void join_session_keyring(void);
void change_dir_and_user(void);
const char *resolve_executable(void);
void wait_for_start(void);
void apply_process_attributes(void); /* attributes.c: personality, memory policy, I/O priority, scheduler */

/* lsm.c */
void apply_lsm_labels(void);
__attribute__((noreturn)) void exec_process(const char *path);

/* seccomp.c */
void install_seccomp(void);

/* small helpers shared by the files (util.c) */
int write_file_at(int dirfd, const char *path, const char *data, size_t len, int flags);
int write_and_close(int fd, const char *data, size_t len); /* 0, or -1 with errno; fd closed either way */
void fd_path(char *buf, size_t size, int fd);
char *format_u64(char *buf, uint64_t v);
/* tests only: SIGSTOP this process when the plan's TEST_STOP_AT names point */
void stop_point(const char *point);

#endif
