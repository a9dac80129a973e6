# growth-during-mark.gs - a lost-object shape of a concurrent collector:
# stacks that grow by copying (Gcopystack) while mark runs, with
# references held in the frames of callers and used after RET.
#
# Three divers each take a parcel from main (allocated before the cycles:
# white) and allocate one per frame on the way down four frames of 64
# slots, which outgrows each stack several times. A collector runs
# cycles meanwhile, so a stack may be scanned just before, just after or
# (if the protocol is broken) during a copy: the scan and the copy must
# not overlap (scan.* rules), and the copied stack must still hold every
# reference. On the way up each frame USEs its object after the deeper
# RET, and the parcel last. Lost here: a reference copied after the scan
# read the old stack, or a frame the scan did not see. Every BLOCK has
# its WAKE: sema 0, each diver wakes main once. Clean under stw and
# quiesce too.

threads 4
procs 2
gc conc
heap 512

prog main frame 4
    NEW 0               # the parcel, allocated before the cycles
    GO diver 0
    GO diver 0
    GO diver 0
    MOV 0 3
    GO collector 3
    BLOCK 0             # all three divers are back
    BLOCK 0
    BLOCK 0
    GC
end

prog diver frame 2
    NEW 1
    CALL 63             # 64 slots
    NEW 0
    YIELD
    CALL 63
    NEW 63
    CALL 63
    NEW 0
    YIELD
    CALL 63
    NEW 31
    YIELD
    USE 31
    RET
    USE 0
    RET
    USE 63
    RET
    USE 0
    RET
    USE 1
    USE 0               # the parcel
    WAKE 0
end

prog collector frame 2
    GC
    YIELD
    GC
    YIELD
    GC
end

start main
