# demo.gs - a bit of everything, and every goroutine can finish.
#
# main builds a small object graph, publishes it in a global and spawns
# two producers, two consumers and a deep caller. Producers allocate,
# link their objects into the shared graph (heap writes while the
# collector may be marking), grow their stacks and then WAKE semaphore 1
# once each; each consumer BLOCKs on 1 once, works, and WAKEs semaphore 2;
# main BLOCKs on 2 twice. So every BLOCK has a matching WAKE:
#   sema 1: 2 WAKEs (producers), 2 BLOCKs (consumers)
#   sema 2: 2 WAKEs (consumers), 2 BLOCKs (main)
# Run it:  gstorm run corpus/scenarios/demo.gs

threads 4
procs 2
gc conc
heap 1024

# Programs that GO starts are defined after the program that starts them
# (a name may be used before its definition).
prog main frame 8
    NEW 0               # the root object
    NEW 1
    STORE 0 0 1         # root.f0 = obj1
    GSET 0 0            # global 0 = root: reachable from a global too
    GO producer 0       # each child gets the root in its slot 0
    GO producer 0
    GO consumer 0
    GO consumer 0
    GO deep 1
    GC                  # collect while the children start
    YIELD
    MOV 2 1
    MOV 1 0             # slot 1 now holds the root; obj1 stays in slot 2
    GC
    BLOCK 2             # wait for both consumers
    BLOCK 2
    USE 0
    USE 2
    GC
end

prog producer frame 4
    NEW 1
    STORE 1 0 0         # new.f0 = root
    STORE 0 1 1         # root.f1 = new (a write the barrier must see)
    GSET 1 1            # publish it in global 1
    CALL 7              # a frame of 8 slots: the stack grows
    NEW 0
    NEW 1
    STORE 0 0 1
    CALL 15             # 16 more slots
    NEW 3
    YIELD
    USE 3
    RET
    USE 0
    RET
    SYSCALL 3           # 30 us in a system call
    WAKE 1              # one consumer may go
    SPIN 256            # no preemption point for 256 iterations
    GC
    USE 0
end

prog consumer frame 4
    BLOCK 1             # wait for a producer
    GGET 1 1            # what some producer published
    USE 1
    LOAD 2 0 0          # root.f0
    USE 0
    CALL 3
    NEW 0
    GGET 1 0            # the root, from global 0
    STORE 0 0 1         # new.f0 = root
    USE 0
    RET
    SYSCALL 2
    YIELD
    GC
    WAKE 2              # tell main this consumer is done
end

prog deep frame 2
    NEW 1
    CALL 15
    NEW 0
    CALL 31
    NEW 0
    CALL 63
    NEW 0
    GC                  # a collection with a deep stack to scan
    CALL 63
    NEW 5
    USE 5
    RET
    RET                 # shallower now: the next scan may shrink it
    RET
    RET
    GC
    USE 0               # the object main passed in
    USE 1
    EXIT
end

start main
