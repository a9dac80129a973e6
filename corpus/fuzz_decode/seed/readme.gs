# two workers share an object through a global while collections run
threads 4          # at most this many Ms (1..128)
procs 2            # Ps (1..64)
gc conc            # stw | quiesce | conc
heap 1024          # heap objects (16..1048576)

prog main frame 4  # a program; its base frame has 4 slots
    NEW 0          # slot 0 = a new object
    GSET 0 0       # global 0 = slot 0
    GO worker 0    # start worker with its slot 0 = our slot 0
    GO worker 0
    GC             # a collection; waits for it to finish
    USE 0          # the object must still be live
end

prog worker frame 2
    CALL 20        # push a frame of 21 slots (the stack grows)
    NEW 1
    STORE 0 0 1    # field 0 of the object in slot 0 = slot 1
    RET
    SYSCALL 5      # a blocking system call of 5 ticks (10 us each)
    GGET 1 0
    USE 1
end

start main         # one goroutine running main ("start worker x3": three)
