// Command fakejamf serves jamftest's fake Jamf Pro in a process of its own,
// so that syncbench's memory and CPU figures are the itam side's alone.
//
// On start it prints one JSON line to stdout: the instance URL and the
// credentials it accepts. It then reads commands from stdin, one a line:
//
//	stats   print one JSON line: the fake's request counters, this
//	        process's Go allocations, peak RSS and CPU time
//
// and exits when stdin closes (so it never outlives syncbench), or on
// SIGINT/SIGTERM.
//
//	go run ./cmd/itam-syncbench/fakejamf [-computers 50000] [-seed 0] [-apps 0] [-addr 127.0.0.1:0]
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"strings"
	"syscall"

	"github.com/itam-dev/itam/cmd/itam-syncbench/fakewire"
	"github.com/itam-dev/itam/connectors/jamf/jamftest"
	"github.com/itam-dev/itam/internal/benchkit"
)

func main() {
	computers := flag.Int("computers", 50000, "generated computers")
	seed := flag.Uint64("seed", 0, "generator seed")
	apps := flag.Int("apps", 0, "applications per computer (0: 5 to 25, negative: none)")
	addr := flag.String("addr", "", "also listen on this address (host:port) and report it as the URL (default: jamftest's own random loopback port)")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("fakejamf: ")

	srv := jamftest.Start(jamftest.Options{Computers: *computers, Seed: *seed, Apps: *apps})
	defer srv.Close()
	hello := fakewire.Hello{URL: srv.URL, ClientID: srv.ClientID, ClientSecret: srv.ClientSecret, PID: os.Getpid()}
	if *addr != "" {
		// jamftest picks its own port (httptest); put a proxy on the one asked.
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			log.Fatal(err)
		}
		target, _ := url.Parse(srv.URL)
		go func() { log.Fatal(http.Serve(ln, httputil.NewSingleHostReverseProxy(target))) }()
		hello.URL = "http://" + ln.Addr().String()
	}
	out := json.NewEncoder(os.Stdout)
	if err := out.Encode(hello); err != nil {
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
				_ = out.Encode(fakewire.Stats{Jamf: srv.Stats(), TotalAlloc: m.TotalAlloc, Mallocs: m.Mallocs, NumGC: m.NumGC,
					HeapSys: m.HeapSys, VmHWM: hwm, VmRSS: rss})
			case "":
			default:
				fmt.Fprintln(os.Stderr, "fakejamf: unknown command", in.Text())
			}
		}
	}()
	select {
	case <-sig:
	case <-eof:
	}
}
