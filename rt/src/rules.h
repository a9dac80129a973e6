/*
 * rules.h - the catalog of rules: every invariant a throw can name, with
 * the checker it belongs to and what breaking it means. One table, used by
 * every throw (rt__throw takes an rt__rule, made from the enum names
 * below), by the report (which prints the id), by the public catalog
 * (rt_rule, rt_rule_find in rt.h) and so by de-duplication and the
 * documentation.
 *
 * An X-macro list: an includer defines CHECKER(name, text) and/or
 * RULE(name, id, checker, meaning) and includes this file; each list is
 * expanded only if its macro is defined, and the macro is undefined after.
 *
 *   CHECKER  name     the token a rule's checker field names
 *            text     the checker's name, as DESIGN.md section 4 words it
 *   RULE     name     the enum constant is RT_RULE_<name>
 *            id       the user-visible id: "<area>.<what>". Ids are in
 *                     reports, saved findings and their file names: never
 *                     rename one.
 *            checker  a CHECKER name (a typo does not compile)
 *            meaning  one line: what broke
 *
 * Checker RESOURCE is not a protocol violation: the run ran out of
 * memory, goroutine slots or threads (rt_rule_info.resource).
 */

#ifdef CHECKER
CHECKER(TRANSITION, "transition legality")
CHECKER(SCAN, "scan ownership")
CHECKER(POST, "quiesce / markroot postconditions")
CHECKER(QUEUE, "queue consistency")
CHECKER(GCSAFETY, "GC safety")
CHECKER(LIVENESS, "liveness")
CHECKER(SCHED, "scheduler sanity")
CHECKER(RESOURCE, "resource")
/* No rule names it: the faults that only a sanitizer (ThreadSanitizer,
 * ASan) can see name it as the checker expected to catch them. */
CHECKER(SANITIZER, "sanitizer")
#undef CHECKER
#endif

#ifdef RULE
/* Transition legality (g.c's table, sched.c's users of it). */
RULE(STATUS_ILLEGAL, "status.illegal", TRANSITION,
     "a status change not in the transition table")
RULE(STATUS_CASGSTATUS, "status.casgstatus", TRANSITION,
     "casgstatus given a scan state, or the status word held neither the "
     "expected status nor its scan form")
RULE(STATUS_STOPG, "status.stopg", TRANSITION,
     "stopg found a status it has no rule for")
RULE(STATUS_RESTARTG, "status.restartg", TRANSITION,
     "restartg found a G that no stopg claimed")
RULE(STATUS_READY, "status.ready", TRANSITION,
     "ready of a G that is not waiting")
RULE(STATUS_GFPUT, "status.gfput", TRANSITION,
     "a G put on the free list that is not dead")
RULE(STATUS_ALLGADD, "status.allgadd", TRANSITION,
     "a G published in allgs while still Gidle")
RULE(STATUS_STALE, "status.stale", TRANSITION,
     "a scan request (preemptscan) carried across an exit or a reuse from "
     "the free list, or a G made runnable with gcworkdone still set "
     "(invariant 4)")

/* Scan ownership. */
RULE(SCAN_UNOWNED, "scan.unowned", SCAN,
     "a stack scanned or GC work done without the G's scan bit or a "
     "stopped world")
RULE(SCAN_RUNNING, "scan.running", SCAN,
     "the G ran an instruction while its stack was being scanned")
RULE(SCAN_CONCURRENT, "scan.concurrent", SCAN, "two scans of one stack at once")
RULE(SCAN_STACKCHANGED, "scan.stackchanged", SCAN,
     "a stack changed while it was being scanned")
RULE(SCAN_RELEASE, "scan.release", SCAN,
     "dropping a scan bit found another status than the claimed one")
RULE(SCAN_NOTCLAIMED, "scan.notclaimed", SCAN,
     "stopg reported a claim but the G is in no scan state")
RULE(SCAN_BADSTATUS, "scan.badstatus", SCAN,
     "a scan of a G whose status says its stack may not be scanned")

/* Quiesce / markroot postconditions. */
RULE(QUIESCE_POST, "quiesce.post", POST,
     "after quiesce, a live G's work not done or its stack scanned other "
     "than once, or a G left in a scan state or Gcopystack")
RULE(MARKROOT_POST, "markroot.post", POST,
     "after markroot, a live G's work not done or its stack scanned other "
     "than once, or a G left in a scan state or Gcopystack")
RULE(QUIESCE_MISSED, "quiesce.missed", POST,
     "a G live during quiesce never brought to a safepoint")
RULE(QUIESCE_CLAIM, "quiesce.claim", POST,
     "the quiesce master could not claim itself (Gscanenqueue)")
RULE(QUIESCE_WRONGM, "quiesce.wrongm", POST,
     "a Gscanenqueue G restarted on another M than its own")
RULE(QUIESCE_ONG, "quiesce.ong", POST,
     "stop-work-restart ran on the G's own stack instead of its M's g0")

/* Queue consistency. */
RULE(QUEUE_RUNNABLE, "queue.runnable", QUEUE,
     "a Grunnable G on no run queue (and in no hand-off), or on several")
RULE(QUEUE_PARKED, "queue.parked", QUEUE,
     "a parked G on no wait list or on several, or also on a run queue")
RULE(QUEUE_STALE, "queue.stale", QUEUE,
     "a queue holds a G its status keeps off queues, or one not in allgs")
RULE(QUEUE_LOSTWAKEUP, "queue.lostwakeup", QUEUE,
     "a semaphore with both a count and a parked waiter")
RULE(QUEUE_CYCLE, "queue.cycle", QUEUE,
     "a queue with a cycle (a G queued twice)")
RULE(QUEUE_RUNQ, "queue.runq", QUEUE,
     "a P's local run queue longer than its capacity")
RULE(SCHED_LOSTWAKEUP, "sched.lostwakeup", QUEUE,
     "every M idle while goroutines wait on a run queue")
RULE(QUEUE_FREELIST, "queue.freelist", QUEUE,
     "the free list holds a G that is not dead or holds one twice, a dead "
     "G is not on it, or its length is not ngfree")

/* GC safety. */
RULE(GC_CHECKMARK, "gc.checkmark", GCSAFETY,
     "an independent traversal from the roots reached an object that is "
     "unmarked or freed (Go's gccheckmark)")
RULE(GC_USE_AFTER_FREE, "gc.use_after_free", GCSAFETY,
     "a swept object used through a stale reference")
RULE(GC_BADREF, "gc.badref", GCSAFETY,
     "a reference to an object outside the heap")
RULE(GC_PHASE, "gc.phase", GCSAFETY,
     "GC work asked for in a GC phase that does not exist")
RULE(GC_WAITED, "gc.waited", GCSAFETY,
     "a GC op completed before a whole collection that started at or "
     "after it had finished")

/* Liveness. */
RULE(LIVENESS_QUIESCE, "liveness.quiesce", LIVENESS,
     "quiesce waited longer than its bound for a running G to reach a "
     "preemption point")
RULE(LIVENESS_STW, "liveness.stw", LIVENESS,
     "a stop-the-world waited longer than its bound (twice quiesce's)")
RULE(LIVENESS_GC, "liveness.gc", LIVENESS,
     "a GC cycle took longer than its bound (four times quiesce's)")
RULE(LIVENESS_DEADLOCK, "liveness.deadlock", LIVENESS,
     "every M idle or blocked while live goroutines are not all parked on "
     "the scenario's own semaphores")
RULE(LIVENESS_BUDGET, "liveness.budget", LIVENESS,
     "the run went past a budget: sim yield points, or goroutines started")
RULE(LIVENESS_SPIN, "liveness.spin", LIVENESS,
     "a wait for another actor to let go of a G (its scan bit, or "
     "Gcopystack) took longer than quiesce's bound")
RULE(LIVENESS_LOCKEDSCAN, "liveness.lockedscan", LIVENESS,
     "a G did its own GC work at a preemption point while its M held a "
     "runtime lock, which the collector may be waiting for (Go issue 9225)")

/* Scheduler sanity. */
RULE(SCHED_STW, "sched.stw", SCHED,
     "stop-the-world returned with a P not stopped")
RULE(SCHED_STOPWAIT, "sched.stopwait", SCHED,
     "a P counted as stopped twice for one stop-the-world")
RULE(SCHED_ACQUIREP, "sched.acquirep", SCHED,
     "an M acquired a P already in use, or while holding one")
RULE(SCHED_RELEASEP, "sched.releasep", SCHED,
     "an M released a P it does not hold")
RULE(SCHED_STOPM, "sched.stopm", SCHED, "an M parked while holding a P")
RULE(SCHED_LOCKHELD, "sched.lockheld", SCHED,
     "a function that needs a runtime lock ran without it")
RULE(STACK_OVERFLOW, "stack.overflow", SCHED,
     "a stack grew beyond its largest size")
RULE(STACK_SIZE, "stack.size", SCHED,
     "a stack copy to a size that cannot hold the frames in use")
RULE(STACK_CONTENT, "stack.content", SCHED,
     "a stack slot in use no longer holds what the program wrote there "
     "(a copy, shrink or scan changed it)")

/* Resources: the run ran out of something; not a protocol violation. */
RULE(RT_NOMEM, "rt.nomem", RESOURCE, "an allocation of the runtime failed")
RULE(RT_TOOMANYG, "rt.toomanyg", RESOURCE,
     "more goroutines alive at once than allgs can hold")
RULE(RT_THREAD, "rt.thread", RESOURCE,
     "the platform could not start a thread for an M")
#undef RULE
#endif
