/* The numbers of the launch-plan encoding and of the sync-socket messages.
 * They mirror Tag, Sub and Msg in src/plan/wire.ts; test/unit/wire.test.ts parses
 * this file and fails when the two disagree. Keep one "#define NAME number" a line. */
#ifndef RUNT_PROTOCOL_H
#define RUNT_PROTOCOL_H

#define RUNT_PLAN_MAGIC "RUNTPLN1"

/* top-level record tags */
#define RUNT_TAG_MODE 1
#define RUNT_TAG_CLONE_FLAGS 2
#define RUNT_TAG_JOIN_NS 3
#define RUNT_TAG_TIME_OFFSET 4
#define RUNT_TAG_ROOTFS 10
#define RUNT_TAG_ROOT_PROPAGATION 11
#define RUNT_TAG_ROOTFS_PROPAGATION 12
#define RUNT_TAG_READONLY_ROOTFS 13
#define RUNT_TAG_NO_PIVOT 14
#define RUNT_TAG_MOUNT 15
#define RUNT_TAG_DEVICE 16
#define RUNT_TAG_SYMLINK 17
#define RUNT_TAG_MASKED_PATH 18
#define RUNT_TAG_READONLY_PATH 19
#define RUNT_TAG_HOSTNAME 20
#define RUNT_TAG_DOMAINNAME 21
#define RUNT_TAG_SYSCTL 22
#define RUNT_TAG_HOOK_PAUSE 23
#define RUNT_TAG_ARG 30
#define RUNT_TAG_ENV 31
#define RUNT_TAG_CWD 32
#define RUNT_TAG_UID 33
#define RUNT_TAG_GID 34
#define RUNT_TAG_ADDITIONAL_GID 35
#define RUNT_TAG_UMASK 36
#define RUNT_TAG_RLIMIT 37
#define RUNT_TAG_CAPS 38
#define RUNT_TAG_NO_NEW_PRIVS 39
#define RUNT_TAG_OOM_SCORE_ADJ 40
#define RUNT_TAG_TERMINAL 41
#define RUNT_TAG_CONSOLE_SIZE 42
#define RUNT_TAG_PRESERVE_FDS 43
#define RUNT_TAG_NEW_KEYRING 44
#define RUNT_TAG_CPU_AFFINITY_INITIAL 45
#define RUNT_TAG_CPU_AFFINITY_FINAL 46
#define RUNT_TAG_HOOK 47
#define RUNT_TAG_SCHEDULER 48
#define RUNT_TAG_IO_PRIORITY 49
#define RUNT_TAG_PERSONALITY 50
#define RUNT_TAG_MEMORY_POLICY 51
#define RUNT_TAG_NET_DEVICE 64
#define RUNT_TAG_SECCOMP_FILTER 70
#define RUNT_TAG_SECCOMP_FLAGS 71
#define RUNT_TAG_TEST_STOP_AT 72
#define RUNT_TAG_APPARMOR_PROFILE 95
#define RUNT_TAG_SELINUX_LABEL 96

/* tags inside nested records; each record kind numbers its fields from 1 */
#define RUNT_SUB_NS_TYPE 1
#define RUNT_SUB_NS_PATH 2
#define RUNT_SUB_TO_CLOCK 1
#define RUNT_SUB_TO_SECS 2
#define RUNT_SUB_TO_NSECS 3
#define RUNT_SUB_M_DEST 1
#define RUNT_SUB_M_SOURCE 2
#define RUNT_SUB_M_FSTYPE 3
#define RUNT_SUB_M_FLAGS 4
#define RUNT_SUB_M_PROPAGATION 5
#define RUNT_SUB_M_DATA 6
#define RUNT_SUB_M_ATTR_SET 7
#define RUNT_SUB_M_ATTR_CLR 8
#define RUNT_SUB_M_CREATE_FILE 9
#define RUNT_SUB_M_TMPCOPYUP 60
#define RUNT_SUB_M_IDMAP 61
#define RUNT_SUB_M_UID_MAP 62
#define RUNT_SUB_M_GID_MAP 63
#define RUNT_SUB_ND_HOST_NAME 1
#define RUNT_SUB_ND_NAME 2
#define RUNT_SUB_D_PATH 1
#define RUNT_SUB_D_TYPE 2
#define RUNT_SUB_D_MAJOR 3
#define RUNT_SUB_D_MINOR 4
#define RUNT_SUB_D_MODE 5
#define RUNT_SUB_D_UID 6
#define RUNT_SUB_D_GID 7
#define RUNT_SUB_D_BIND 8
#define RUNT_SUB_L_TARGET 1
#define RUNT_SUB_L_PATH 2
#define RUNT_SUB_S_KEY 1
#define RUNT_SUB_S_VALUE 2
#define RUNT_SUB_R_RESOURCE 1
#define RUNT_SUB_R_SOFT 2
#define RUNT_SUB_R_HARD 3
#define RUNT_SUB_C_BOUNDING 1
#define RUNT_SUB_C_EFFECTIVE 2
#define RUNT_SUB_C_PERMITTED 3
#define RUNT_SUB_C_INHERITABLE 4
#define RUNT_SUB_C_AMBIENT 5
#define RUNT_SUB_CS_HEIGHT 1
#define RUNT_SUB_CS_WIDTH 2
#define RUNT_SUB_H_PHASE 1
#define RUNT_SUB_H_PATH 2
#define RUNT_SUB_H_ARG 3
#define RUNT_SUB_H_ENV 4
#define RUNT_SUB_H_TIMEOUT 5
#define RUNT_SUB_SC_POLICY 1
#define RUNT_SUB_SC_NICE 2
#define RUNT_SUB_SC_PRIORITY 3
#define RUNT_SUB_SC_FLAGS 4
#define RUNT_SUB_SC_RUNTIME 5
#define RUNT_SUB_SC_DEADLINE 6
#define RUNT_SUB_SC_PERIOD 7
#define RUNT_SUB_MP_MODE 1
#define RUNT_SUB_MP_FLAGS 2
#define RUNT_SUB_MP_NODE 3

/* sync-socket messages: u32 type | u32 length | payload, little-endian */
#define RUNT_MSG_PLAN 1
#define RUNT_MSG_PID 2
#define RUNT_MSG_CONTINUE 3
#define RUNT_MSG_HOOKS 4
#define RUNT_MSG_CREATED 5
#define RUNT_MSG_ERROR 6
#define RUNT_MSG_ABORT 7
#define RUNT_MSG_HOOK_STATE 47
#define RUNT_MSG_SECCOMP_FD 70

#endif
