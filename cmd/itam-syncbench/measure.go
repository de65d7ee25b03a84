package main

import (
	"os"
	"runtime"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/itam-dev/itam/internal/benchkit"
)

// peakRSS is this process's peak resident memory so far, in bytes.
func peakRSS() int64 {
	hwm, _ := benchkit.ProcStatus()
	return hwm
}

// resetPeakRSS sets VmHWM back to the current RSS (Linux ≥ 4.0), so the
// next reading is the peak of what follows.
func resetPeakRSS() { _ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }

// memDelta is what a phase did to the Go heap.
type memDelta struct {
	TotalAlloc    uint64 `json:"total_alloc_bytes"` // bytes allocated during the phase
	Mallocs       uint64 `json:"mallocs"`
	NumGC         uint32 `json:"num_gc"`
	PeakHeapLive  uint64 `json:"peak_heap_objects_bytes"` // /memory/classes/heap/objects, sampled
	PeakGoMapped  uint64 `json:"peak_go_total_bytes"`     // /memory/classes/total, sampled
	HeapInuseEnd  uint64 `json:"heap_inuse_end_bytes"`
	GoSysEnd      uint64 `json:"go_sys_end_bytes"`
	PauseTotalDur uint64 `json:"gc_pause_ns"`
}

func readMem() runtime.MemStats {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m
}

// heapSampler records the peak of the Go heap (runtime/metrics, which does
// not stop the world) while a phase runs.
type heapSampler struct {
	done       chan struct{}
	wg         sync.WaitGroup
	peakLive   uint64
	peakMapped uint64
}

func startHeapSampler(every time.Duration) *heapSampler {
	h := &heapSampler{done: make(chan struct{})}
	samples := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/total:bytes"}}
	read := func() {
		metrics.Read(samples)
		if samples[0].Value.Kind() == metrics.KindUint64 {
			h.peakLive = max(h.peakLive, samples[0].Value.Uint64())
		}
		if samples[1].Value.Kind() == metrics.KindUint64 {
			h.peakMapped = max(h.peakMapped, samples[1].Value.Uint64())
		}
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			read()
			select {
			case <-h.done:
				read()
				return
			case <-t.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) stop(before runtime.MemStats) memDelta {
	close(h.done)
	h.wg.Wait()
	after := readMem()
	return memDelta{TotalAlloc: after.TotalAlloc - before.TotalAlloc, Mallocs: after.Mallocs - before.Mallocs,
		NumGC: after.NumGC - before.NumGC, PeakHeapLive: h.peakLive, PeakGoMapped: h.peakMapped,
		HeapInuseEnd: after.HeapInuse, GoSysEnd: after.Sys, PauseTotalDur: after.PauseTotalNs - before.PauseTotalNs}
}

// cpuTimes are user+system CPU times of the parties to a sync.
type cpuTimes struct{ self, fake, pg time.Duration }

// cpuDelta is the CPU each party used during a phase.
type cpuDelta struct {
	Itam time.Duration `json:"itam_ns"`
	Fake time.Duration `json:"fake_ns"` // 0 with -fake inprocess (then inside Itam)
	PG   time.Duration `json:"postgres_ns"`
}

func (c cpuTimes) sub(b cpuTimes) cpuDelta {
	return cpuDelta{Itam: c.self - b.self, Fake: c.fake - b.fake, PG: c.pg - b.pg}
}
