/* The front-end <-> planner protocol (the fast path, see src/planner/). One message per
 * SOCK_SEQPACKET packet: a u32 type, then the payload; descriptors ride along as
 * SCM_RIGHTS. Mirrored in src/planner/protocol.ts (test/unit/planner-protocol.test.ts).
 *
 *   front-end                          planner
 *   HELLO "runt-planner/1\0<build>\0" ->
 *                                   <- READY | DIRECT "<why>" | RESTART "<why>"
 *   REQUEST umask, cwd, argv, env,  ->
 *     fds 0 1 2
 *                                   <- DIRECT "<why>"          (nothing done yet)
 *                                   <- SPAWN preserve, flags,  (start the executor)
 *                                      fds sync [fifo] [console]
 *   SPAWNED pid, errno              ->
 *                                   <- WAIT pid, nohang        (waitpid on our child)
 *   WAITED pid, exited, status,     ->
 *     signal, errno
 *                                   <- EXIT code               (the command is done)
 */
#ifndef RUNT_FRONT_PROTOCOL_H
#define RUNT_FRONT_PROTOCOL_H

#define RUNT_PLANNER_PROTOCOL "runt-planner/1"

#define RUNT_FP_HELLO 1
#define RUNT_FP_READY 2
#define RUNT_FP_DIRECT 3
#define RUNT_FP_RESTART 4
#define RUNT_FP_REQUEST 5
#define RUNT_FP_SPAWN 6
#define RUNT_FP_SPAWNED 7
#define RUNT_FP_WAIT 8
#define RUNT_FP_WAITED 9
#define RUNT_FP_EXIT 10

/* SPAWN flags: which optional descriptors follow the sync socket */
#define RUNT_FP_SPAWN_FIFO 1
#define RUNT_FP_SPAWN_CONSOLE 2

/* the largest packet either side sends or accepts (a REQUEST carries the environment) */
#define RUNT_FP_MAX_PACKET (256 * 1024)
/* descriptors one packet may carry */
#define RUNT_FP_MAX_FDS 4

#endif
