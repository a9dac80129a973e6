/*
 * harness_int.h - what child.c shares with pool.c, inside the harness
 * library only (gs__ names): the front ends use harness.h.
 *
 * A worker (pool.c) is a child like gs_child_run's, bounded the same way
 * and reporting on the same one-letter messages; only it lives for many
 * runs. So it enters its life through gs__child_enter, its death is
 * classified by gs__classify, and the parent's SIGINT/SIGTERM handler
 * kills it as it kills the running child.
 */
#ifndef GSTORM_HARNESS_INT_H
#define GSTORM_HARNESS_INT_H

#include <signal.h>
#include <stdio.h>
#include <sys/types.h>

#include "harness.h"

enum {
    GS__CHILD_GRACE_S = 5, /* the parent's deadline comes this much after
                              the child's own watchdog (which dumps the
                              run's state), and so does the CPU-time
                              limit of a one-run child */
};

/* The worker now running (pool.c), for the parent's signal handler; 0
 * when none. */
extern volatile sig_atomic_t gs__workerpid;

/* gs__installsignals installs the parent's SIGINT/SIGTERM handler, once
 * per process: it kills the running child and the worker, then lets the
 * signal end the process. */
void gs__installsignals(void);

/* gs__childcfg_defaults fills the zero fields of *cfg with the defaults
 * (harness.h: gs_childcfg). */
void gs__childcfg_defaults(gs_childcfg *cfg);

/*
 * gs__child_enter is the first thing a forked child does: die with parent
 * (PR_SET_PDEATHSIG; _exit at once if it is already gone), default
 * SIGINT/SIGTERM, the SIGALRM watchdog that sends 'T' on resfd and dumps
 * the run, the throw hook that sends 'V' and the rule on resfd and exits,
 * the memory bound, and (cpulimit: a one-run child) a CPU-time bound of
 * the whole process. The caller arms the alarm for each run.
 */
void gs__child_enter(const gs_childcfg *cfg, pid_t parent, int resfd,
                     bool cpulimit);

/*
 * gs__classify fills *out from what a child sent (msg[0..got)), its wait
 * status, whether the parent killed it at its deadline, and its stderr
 * text (NULL if unread): the one classification of a run that ended its
 * process.
 */
void gs__classify(const uint8_t *msg, size_t got, int status, bool killed,
                  const char *text, gs_outcome *out);

/*
 * gs__spawn makes a child's plumbing and forks: an unlinked temporary
 * file for its stderr (*errf), and a channel whose read end (a pipe's) or
 * one end (both: a socket pair, both ways) is the parent's *mine and the
 * other the child's *theirs. Returns the child's pid in the parent
 * (*theirs is -1 there, closed), 0 in the child (*mine is -1, closed),
 * or -1 with err set and nothing left open. The parent's SIGINT/SIGTERM
 * handler is installed first.
 */
pid_t gs__spawn(bool both, FILE **errf, int *mine, int *theirs, char *err,
                size_t errlen);

/* gs__readall reads what fd (a child's stderr file) holds from its start
 * (at most 1 MiB) into a malloc'd NUL-terminated string, or NULL. */
char *gs__readall(int fd);

/*
 * gs__readmsg reads a child's message from fd into msg (cap bytes), *got
 * bytes so far, until EOF, a full buffer, the message is whole, or the
 * gs_now() time deadline, when it kills pid with SIGKILL. need(msg, got)
 * says how many more bytes the message wants (0: it is whole; it reads
 * no further, so that a message that follows stays unread); NULL: read
 * to EOF. Returns whether it killed pid.
 */
bool gs__readmsg(int fd, pid_t pid, double deadline, uint8_t *msg, size_t cap,
                 size_t *got, size_t (*need)(const uint8_t *msg, size_t got));

#endif /* GSTORM_HARNESS_INT_H */
