package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
)

const usage = `itam: IT asset management server

Usage:
  itam [serve]      run the HTTP server and the job workers (the default)
  itam worker       run only the job workers (connector syncs, schedules)
  itam migrate      apply the database migrations
  itam token --org SLUG --sub EMAIL [--role ROLE] [--ttl 1h]
                    print a signed JWT for an organization and role
  itam seed --org SLUG [--assets N] [--people N] [--seed N]
                    create an organization, optionally with generated data
  itam db stop      stop the project-local PostgreSQL (the one used without DATABASE_URL)
  itam export --org SLUG --kind assets|people|licenses --format csv|xlsx [--filter JSON] [--columns a,b] [--out FILE]
                    write an organization's list as CSV or XLSX (stdout without --out)
  itam software install-starter --org SLUG
                    install the starter software rules into an organization (once)
  itam import FILE --org SLUG [--kind assets] [--map mapping.json] [--commit] [--skip-invalid]
                    dry-run (and with --commit, apply) a CSV or XLSX import
  itam version      print the version
  itam help         print this help

Settings come from the environment (DATABASE_URL, ITAM_JWT_SECRET, ITAM_ADDR, ...);
see the README. "itam COMMAND -h" lists a command's flags.
`

// errHelpShown ends a command whose usage was asked for and printed:
// run returns nil for it, so -h exits 0.
var errHelpShown = errors.New("help shown")

// parseFlags parses a command's flags. -h and --help print the command's
// usage on stdout (errHelpShown); an unknown flag or a stray argument
// prints it on stderr and fails, rather than running the command anyway.
func parseFlags(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) error {
	fs.SetOutput(io.Discard) // the flag package's own messages would go to os.Stderr
	err := fs.Parse(args)
	if err == nil && fs.NArg() > 0 {
		err = fmt.Errorf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		printFlags(stdout, fs)
		return errHelpShown
	case err != nil:
		printFlags(stderr, fs)
		return err
	}
	return nil
}

func printFlags(w io.Writer, fs *flag.FlagSet) {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	if n == 0 {
		fmt.Fprint(w, usage)
		return
	}
	fmt.Fprintf(w, "Usage: itam %s [flags]\n\nFlags:\n", fs.Name())
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// version is the module version and VCS revision the binary was built
// from, e.g. "v0.0.0-20260105093000-b4f01a1abcde+dirty (rev b4f01a1, modified)".
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "(unknown)"
	}
	return versionOf(bi)
}

func versionOf(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, modified string
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value
		}
	}
	var details []string
	if rev != "" {
		details = append(details, "rev "+rev[:min(7, len(rev))])
	}
	if modified == "true" {
		details = append(details, "modified")
	}
	if len(details) > 0 {
		v += " (" + strings.Join(details, ", ") + ")"
	}
	return v
}
