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
#undef FAULT
#endif
