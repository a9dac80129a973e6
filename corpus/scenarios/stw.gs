# stw.gs - the stop-the-world collector (markroot through stopg) under
# allocation churn: four goroutines allocate, link and collect, on four Ps,
# so a collection usually finds the others running or runnable.

threads 4
procs 4
gc stw
heap 256

prog churn frame 4
    NEW 0
    NEW 1
    STORE 0 0 1         # 0 -> 1
    GC
    NEW 1               # the old 1 survives only through 0.f0
    STORE 1 1 0         # 1 -> 0
    GSET 2 1
    GC
    LOAD 2 0 0          # the first object again, from the heap
    USE 2
    USE 0
    USE 1
    YIELD
    GC
end

start churn x4
