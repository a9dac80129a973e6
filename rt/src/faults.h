/*
 * faults.h - the catalog of injectable faults: known bugs of the protocol
 * that a run can switch on by id (rt_options.faults, one bit each), so
 * that the harness can prove that its checkers still catch them
 * (DESIGN.md section 5). One build serves all; by default none is on.
 *
 * An X-macro list: an includer defines
 * FAULT(name, id, description, source, checker) and includes this file;
 * the macro is undefined after.
 *
 *   name         the enum constant is RT_FAULT_<name>
 *   id           the user-visible id, "<area>.<what>" (GSTORM_FAULT=ID,
 *                --fault ID); never rename one
 *   description  one line: what the runtime does wrong when it is on
 *   source       where the bug comes from (a defect of PROTOCOL.md, a
 *                Go commit, "classic")
 *   checker      the CHECKER of rules.h that should catch it (a token)
 *
 * To add a fault: append a FAULT line at the END of the list (a fault's
 * bit in rt_options.faults is its position, and saved runs record the
 * bits), then test rt__faulton(RT_FAULT_<name>) at the place the bug lives.
 * At most 64 faults (catalog.c checks it at compile time).
 *
 * Example of the shape:
 *
 *   FAULT(SCAN_NOCLAIM, "scan.noclaim",
 *         "markroot scans a G even when stopg did not claim it",
 *         "PROTOCOL.md defect S2", SCAN)
 */

#ifdef FAULT
/* The defects of PROTOCOL.md ("Known defects"), under their ids. */
FAULT(S1, "S1",
      "scanstack's ownership check never fires (the seed's `status & Gscan "
      "== 0` precedence bug); changes nothing alone: its canary adds S2 and "
      "is caught by another rule (defense in depth)",
      "PROTOCOL.md S1; re-enabled in 1e2d2f0947, 273507aa8f", SCAN)
FAULT(S2, "S2",
      "the concurrent root pass (stopscanstart, rt's markroot while the "
      "world runs) scans a G even when stopg returned false: running, "
      "claimed by another actor, or dead (rt's own markroot runs with the "
      "world stopped, where stopg fails only for dead Gs)",
      "PROTOCOL.md S2; fixed in d42328c9f7", SCAN)
FAULT(S3, "S3",
      "newstack's preemptscan path does the G's GC work without claiming "
      "its scan bit (the G sits in plain Gwaiting)",
      "PROTOCOL.md S3; 273507aa8f, 724f8298a8, 3c60e6e8cf (Go issue 10941)",
      SCAN)
FAULT(S4, "S4",
      "newstack takes the preemptscan path before its runtime-locks-held "
      "check (NEW's refill, heap lock held): the G scans itself holding a "
      "runtime lock; rt's scan takes no lock a heap-lock holder waits on, "
      "so the seed's deadlock cannot close: liveness.lockedscan catches "
      "the cause",
      "PROTOCOL.md S4; aae0f074c0 (Go issue 9225)", LIVENESS)
FAULT(S5, "S5",
      "casgstatus helps while it spins: with preemptscan set it runs the "
      "G's GC work although another actor holds the claim (also from "
      "Gsyscall)",
      "PROTOCOL.md S5; 5ea69978fd, 6184f46ea3", SCAN)
FAULT(S6, "S6",
      "stopg throws on a scan state held by another stopper (a self-scan, "
      "the quiesce master) instead of leaving the G to it",
      "PROTOCOL.md S6; later versions wait (3f834114ab)", TRANSITION)
FAULT(S7, "S7",
      "gcworkdone and preemptscan are not reset on exit and reuse: a G "
      "reused during mark is taken for done and never scanned, a stale "
      "request fires in a later life (invariant 4: status.stale)",
      "PROTOCOL.md S7; 3c60e6e8cf, 27aed3ce68 (Go issue 9727), 840965f8d7 "
      "(11256)",
      TRANSITION)
FAULT(S8, "S8",
      "quiesce ignores the result of the master's CAS to Gscanenqueue; in "
      "rt that CAS cannot fail alone (one cycle at a time, only the "
      "master's M moves it), so its canary adds gc.noresume",
      "PROTOCOL.md S8; dead code, later removed", TRANSITION)
FAULT(S11, "S11",
      "mquiesce reads allglen once, before its passes: Gs published during "
      "quiesce are never visited (allgs chunks never move in rt, so the "
      "stale-array half cannot apply)",
      "PROTOCOL.md S11; 6184f46ea3", POST)
FAULT(S13, "S13",
      "mark termination skips quiesce's postcondition checks (the seed's "
      "final pass only printed); changes nothing alone: its canary adds "
      "stopg.donebeforework and is caught by gc.checkmark (defense in "
      "depth)",
      "PROTOCOL.md S13", GCSAFETY)
FAULT(S14, "S14",
      "the CALL prologue ignores StackPreempt: a running G never reaches a "
      "preemption point, and quiesce or a stop-the-world waits for it",
      "PROTOCOL.md S14; Go 1.14 async preemption (Go issue 10958)", LIVENESS)
FAULT(S15, "S15",
      "newstack's copystack moves the stack before it claims Gcopystack: a "
      "scanner that claimed the G meanwhile scans a moving stack",
      "PROTOCOL.md S15; 2b62e1eaec (Go issue 9186)", SCAN)
FAULT(S17, "S17",
      "readgstatus reads the status word with a plain load: a data race "
      "with every CAS that only ThreadSanitizer sees",
      "PROTOCOL.md S17; 503bcd464e", SANITIZER)
FAULT(S18, "S18",
      "mquiesce leaves GCmark (phase to GCstw, barrier off) before it "
      "stops the world for mark termination: mutators run on with the "
      "phase flipped under them",
      "PROTOCOL.md S18; 02f89331c2", GCSAFETY)

/* Classic mistakes, each in a different function. */
FAULT(WB_OFF, "wb.off",
      "the write barrier is switched off entirely in concurrent mark "
      "(rt__writebarrier returns at once)",
      "classic (Dijkstra/Yuasa: a heap write hides a pointer from the "
      "marker)",
      GCSAFETY)
FAULT(ALLOC_WHITE, "alloc.white",
      "allocation during mark is white, not black (rt__alloc): an object "
      "known only to an already-scanned stack is swept",
      "classic (Go 1.5-1.8 allocate black during mark)", GCSAFETY)
FAULT(SEMA_LOSTWAKE, "sema.lostwake",
      "WAKE counts the semaphore up even when a goroutine is parked on it "
      "(vm.c wake): a lost wake-up",
      "classic (lost wake-up)", QUEUE)
FAULT(PARK_UNLOCKFIRST, "park.unlockfirst",
      "park_m drops the wait list's lock before the G is Gwaiting: a WAKE "
      "in between readies a running G",
      "classic (Go's park_m sets Gwaiting before unlockf)", TRANSITION)
FAULT(STW_NOWAKE, "stw.nowake",
      "the last P to stop for a stop-the-world does not wake its "
      "initiator (pstopped, a missing notewakeup): the world never "
      "stops",
      "classic (missing notewakeup)", LIVENESS)
FAULT(MARKROOT_SKIPSYSCALL, "markroot.skipsyscall",
      "markroot skips Gs in Gsyscall, taking their stacks for empty", "classic",
      POST)
FAULT(EXITSYSCALL_STORE, "exitsyscall.store",
      "exitsyscall's fast path stores Grunning into the status word instead "
      "of a CAS from Gsyscall: it does not wait for a scanner holding "
      "Gscansyscall, and runs while its stack is scanned",
      "classic (a blind store where a CAS was needed)", SCAN)
FAULT(PREEMPT_PLAIN, "preempt.plain",
      "preemptone posts the request with plain stores of preempt and "
      "stackguard0: a data race only ThreadSanitizer sees",
      "classic (the seed's plain flags, S7's racy half)", SANITIZER)
FAULT(STOPG_DONEBEFOREWORK, "stopg.donebeforework",
      "stopg marks a running G's work done when it posts the preemption "
      "request, not when the work is done: its stack is never scanned",
      "classic", POST)
FAULT(GC_NORESUME, "gc.noresume",
      "the GC op that starts a concurrent or quiesce cycle leaves its G in "
      "Gwaiting (rt__gc forgets the Gwaiting -> Grunning on that path), so "
      "quiesce cannot claim the master",
      "classic (a restore missing on one of two return paths)", POST)
FAULT(COPYSTACK_DROPSLOT, "copystack.dropslot",
      "copystack moves all but the newest slot in use to the new stack "
      "(an off-by-one in the copy's bounds): the current frame's first "
      "slot reads 0 after a grow or a shrink",
      "classic (Go's copystack/adjustpointers bugs: a frame part left "
      "behind)",
      SCHED)
#undef FAULT
#endif
