// Command aliscout is the AliExpress product-research and dropshipping-sourcing tool: a web app
// (aliscout serve), a local simulator of the AliExpress Open Platform (aliscout sandbox) and a
// command line for searching products, reading product data, making affiliate links and
// authorizing a dropshipping account.
//
// With no AliExpress credentials in the environment every command runs against the built-in
// simulator and says so.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/aliscout/aliscout/internal/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
}

// env is what a command runs with; tests give their own.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	cfg    config.Config
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the web app and JSON API", runServe},
		{"search", "search AliExpress products", runSearch},
		{"product", "show one product by URL or ID", runProduct},
		{"link", "turn AliExpress URLs into affiliate links", runLink},
		{"categories", "list AliExpress categories", runCategories},
		{"auth", "connect a dropshipping account (OAuth) or refresh its token", runAuth},
		{"sandbox", "run the AliExpress simulator as a server", runSandbox},
		{"users", "add or list accounts (users add EMAIL [--operator], users list)", runUsers},
		{"tokens", "create a personal API token (tokens create EMAIL --name NAME)", runTokens},
		{"migrate", "show or apply the store's schema migrations (migrate status|up)", runMigrate},
		{"backup", "write a consistent copy of the SQLite store (backup FILE)", runBackup},
		{"worker", "work background jobs (token refresh, notices, email) without serving pages", runWorker},
		{"keys", "re-seal stored AliExpress tokens with the first ALISCOUT_SECRET_KEY (keys rotate)", runKeys},
	}
}

// errUsage marks errors that are the caller's words being off; they exit 2.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	global := flag.NewFlagSet("aliscout", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	gateway := global.String("gateway", "", "AliExpress gateway base URL (overrides "+config.EnvGateway+")")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			usage(stdout)
			return 0
		}
		fmt.Fprintf(stderr, "aliscout: %v\n", err)
		usage(stderr)
		return 2
	}
	rest := global.Args()
	if len(rest) == 0 {
		usage(stderr)
		return 2
	}
	name := rest[0]
	if name == "help" || name == "-h" {
		usage(stdout)
		return 0
	}
	if name == "version" {
		fmt.Fprintln(stdout, "aliscout", version())
		return 0
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == name {
			cmd = &c
			break
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "aliscout: unknown command %q\n", name)
		usage(stderr)
		return 2
	}
	cfg, err := config.FromEnv(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "aliscout: %v\n", oneLine(err))
		return 1
	}
	if *gateway != "" {
		cfg.Gateway = *gateway
	}
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv, cfg: cfg}
	if err := cmd.run(ctx, e, rest[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "aliscout: %s\n", explain(err, &e.cfg))
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: aliscout [--gateway URL] <command> [flags]")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "commands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-11s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Each command takes --help. Credentials come from "+config.EnvAppKey+", "+config.EnvAppSecret+
		" and "+config.EnvTrackingID+"; without them aliscout uses its built-in AliExpress simulator.")
}

// newFlags makes a command's flag set; --gateway is accepted after the command too.
func newFlags(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("aliscout "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: aliscout %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	fs.Func("gateway", "AliExpress gateway base URL (overrides "+config.EnvGateway+")", func(s string) error {
		e.cfg.Gateway = s
		return nil
	})
	return fs
}

// parseFlags parses args, allowing flags after positional arguments too ("search phone case --json").
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		if args[0] == "--" {
			return append(positional, args[1:]...), nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}

func oneLine(err error) string {
	return strings.ReplaceAll(err.Error(), "\n", "; ")
}
