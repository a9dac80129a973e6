# churn-during-mark.gs - a lost-object shape of a concurrent collector:
# goroutines created, exiting and reused while mark runs, with objects
# handed to them through GO's slot argument.
#
# A spawner allocates four parcels before the cycles start (white), and
# while a collector runs cycles it starts a child per parcel (GO's slot
# argument: the parcel moves from the spawner's stack to the child's) and
# drops its own copy. Couriers work and exit at once, so their dead Gs
# are reused by the next GO; keepers park holding their parcel until the
# collector is done and then USE it. A child born after quiesce passed
# its slot in allgs is scanned by mark termination (a straggler); a G
# reused during mark must start its new life with its per-cycle state
# reset (PROTOCOL.md invariant 4). Lost here: a parcel carried only by a
# child whose stack the cycle never scans, or a reused G taken for done.
# Every BLOCK has its WAKE: sema 5, the collector wakes the spawner;
# sema 4, the spawner wakes the two keepers. Slot 7 is never written
# (nil). Clean under stw and quiesce too.

threads 4
procs 2
gc conc
heap 512

prog spawner frame 8
    NEW 0               # four parcels, before the cycles
    NEW 1
    NEW 2
    NEW 4
    GO collector 7
    YIELD
    GO courier 0        # the parcel moves to the child
    MOV 0 7             # and leaves our stack
    GO keeper 1
    MOV 1 7
    YIELD
    GO courier 2
    MOV 2 7
    GO keeper 4
    MOV 4 7
    NEW 5               # a parcel allocated during mark
    GO courier 5
    GO courier 5
    MOV 5 7
    BLOCK 5             # the collector is done
    WAKE 4              # let both keepers go
    WAKE 4
end

prog courier frame 4
    USE 0               # the parcel must be live
    NEW 1
    STORE 1 0 0         # wrap it: new.f0 = parcel
    LOAD 2 1 0
    USE 2
end                     # exit: this G goes back to the free list

prog keeper frame 4
    USE 0
    BLOCK 4             # hold the parcel across the cycles
    USE 0
    NEW 1
    STORE 0 1 1         # parcel.f1 = new
    USE 1
end

prog collector frame 2
    GC
    GC
    YIELD
    GC
    WAKE 5
end

start spawner
