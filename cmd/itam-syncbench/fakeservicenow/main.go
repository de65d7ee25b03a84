// Command fakeservicenow serves servicenowtest's fake ServiceNow instance in
// a process of its own, so that syncbench's memory and CPU figures are the
// itam side's alone. It speaks fakejamf's line protocol (fakewire): one
// JSON Hello on start (the OAuth client it accepts), one JSON Stats per
// "stats" line on stdin, and exits when stdin closes or on SIGINT/SIGTERM.
//
//	go run ./cmd/itam-syncbench/fakeservicenow [-records 50000] [-table cmdb_ci_computer]
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"github.com/itam-dev/itam/cmd/itam-syncbench/fakewire"
	"github.com/itam-dev/itam/connectors/servicenow/servicenowtest"
	"github.com/itam-dev/itam/internal/benchkit"
)

func main() {
	records := flag.Int("records", 50000, "generated configuration items")
	table := flag.String("table", servicenowtest.DefaultTable, "the table they live in")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("fakeservicenow: ")

	srv := servicenowtest.Start(servicenowtest.Options{Records: *records, Table: *table, Users: max(20, *records/25)})
	defer srv.Close()
	o := srv.Options()
	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(fakewire.Hello{URL: srv.URL, ClientID: o.ClientID, ClientSecret: o.ClientSecret, PID: os.Getpid()}); err != nil {
		log.Fatal(err)
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	eof := make(chan struct{})
	go func() {
		defer close(eof)
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			switch strings.TrimSpace(in.Text()) {
			case "stats":
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				hwm, rss := benchkit.ProcStatus()
				st := srv.Stats()
				_ = out.Encode(fakewire.Stats{ServiceNow: &st, TotalAlloc: m.TotalAlloc, Mallocs: m.Mallocs, NumGC: m.NumGC,
					HeapSys: m.HeapSys, VmHWM: hwm, VmRSS: rss})
			case "":
			default:
				fmt.Fprintln(os.Stderr, "fakeservicenow: unknown command", in.Text())
			}
		}
	}()
	select {
	case <-sig:
	case <-eof:
	}
}
