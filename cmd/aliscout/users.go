package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/aliscout/aliscout/internal/accounts"
	"github.com/aliscout/aliscout/internal/store"
)

// storeFlags adds --data and --database, which every command that opens the store takes.
func storeFlags(e *env, fs *flag.FlagSet) {
	fs.Func("data", "data directory (default ~/.local/share/aliscout)", func(s string) error { e.cfg.DataDir = s; return nil })
	databaseFlag(e, fs)
}

// withAccounts opens the store and an accounts service on it for one command.
func withAccounts(ctx context.Context, e *env, fn func(db database, acc *accounts.Service) error) error {
	db, _, err := openDatabase(ctx, e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	acc, err := accounts.New(db, accounts.Config{Mode: accounts.SignUpMode(e.cfg.SignUp)})
	if err != nil {
		return err
	}
	return fn(db, acc)
}

// runUsers manages accounts: users add EMAIL [--operator], users list.
func runUsers(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: aliscout users add EMAIL [--operator] | aliscout users list", errUsage)
	}
	switch args[0] {
	case "add":
		fs := newFlags(e, "users add", "[flags] EMAIL")
		storeFlags(e, fs)
		operator := fs.Bool("operator", false, "make the account an operator (sees the console, invites people)")
		rest, err := parseFlags(fs, args[1:])
		if err != nil {
			return err
		}
		if len(rest) != 1 {
			return fmt.Errorf("%w: give one email address: aliscout users add EMAIL [--operator]", errUsage)
		}
		password, err := readPassword(e, "Password for "+rest[0]+": ")
		if err != nil {
			return err
		}
		role := store.RoleMember
		if *operator {
			role = store.RoleOperator
		}
		return withAccounts(ctx, e, func(_ database, acc *accounts.Service) error {
			u, err := acc.CreateUser(ctx, rest[0], password, role)
			if err != nil {
				return accountError(err)
			}
			fmt.Fprintf(e.stdout, "created %s (%s), id %d\n", u.Email, u.Role, u.ID)
			return nil
		})
	case "list":
		fs := newFlags(e, "users list", "[flags]")
		storeFlags(e, fs)
		if _, err := parseFlags(fs, args[1:]); err != nil {
			return err
		}
		return withAccounts(ctx, e, func(db database, _ *accounts.Service) error {
			users, err := db.Users(ctx)
			if err != nil {
				return err
			}
			t := newTable(e.stdout, "ID", "EMAIL", "ROLE", "STATE", "CREATED")
			for _, u := range users {
				state := "active"
				if u.Disabled {
					state = "disabled"
				}
				t.row(strconv.FormatInt(u.ID, 10), clean(u.Email, 80), string(u.Role), state, u.CreatedAt.UTC().Format(time.DateTime))
			}
			return t.flush()
		})
	}
	return fmt.Errorf("%w: unknown users command %q: want add or list", errUsage, args[0])
}

// runTokens manages personal API tokens: tokens create EMAIL --name NAME prints the new token once,
// alone on its line.
func runTokens(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return fmt.Errorf("%w: aliscout tokens create EMAIL --name NAME", errUsage)
	}
	fs := newFlags(e, "tokens create", "[flags] EMAIL")
	storeFlags(e, fs)
	name := fs.String("name", "", "what the token is for, e.g. \"inventory script\" (required)")
	rest, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(rest) != 1 || strings.TrimSpace(*name) == "" {
		return fmt.Errorf("%w: aliscout tokens create EMAIL --name NAME", errUsage)
	}
	return withAccounts(ctx, e, func(db database, acc *accounts.Service) error {
		u, err := db.UserByEmail(ctx, rest[0])
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no account has the email %q (aliscout users list shows them)", rest[0])
		}
		if err != nil {
			return err
		}
		token, _, err := acc.CreateAPIToken(ctx, u.ID, *name)
		if err != nil {
			return accountError(err)
		}
		fmt.Fprintln(e.stdout, token)
		fmt.Fprintln(e.stderr, "aliscout: this token is shown once; it authenticates the JSON API as "+u.Email+" with Authorization: Bearer TOKEN")
		return nil
	})
}

// runMigrate shows or applies the store's schema migrations.
func runMigrate(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "status" && args[0] != "up") {
		return fmt.Errorf("%w: aliscout migrate status|up", errUsage)
	}
	fs := newFlags(e, "migrate "+args[0], "[flags]")
	storeFlags(e, fs)
	if _, err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	db, name, err := openDatabase(ctx, e, true)
	if err != nil {
		return err
	}
	defer db.Close()
	if args[0] == "up" {
		applied, err := db.Up(ctx)
		if err != nil {
			return fmt.Errorf("migrate %s: %w", name, err)
		}
		for _, m := range applied {
			fmt.Fprintf(e.stdout, "applied %d %s\n", m.Version, m.Name)
		}
	}
	st, err := db.Status(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", name, err)
	}
	fmt.Fprintf(e.stdout, "database %s: schema version %d, this aliscout knows %d\n", name, st.Current, st.Latest)
	for _, m := range st.Pending {
		fmt.Fprintf(e.stdout, "pending %d %s\n", m.Version, m.Name)
	}
	if st.Current > st.Latest {
		return fmt.Errorf("database schema version %d is newer than this aliscout (%d): upgrade aliscout", st.Current, st.Latest)
	}
	return nil
}

// backuper is a store that can copy itself consistently while in use (SQLite).
type backuper interface {
	Backup(ctx context.Context, dst string) error
}

// runBackup writes a consistent copy of the SQLite store, safe while serve runs.
func runBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "backup", "[flags] FILE")
	storeFlags(e, fs)
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("%w: give the file to write: aliscout backup FILE", errUsage)
	}
	db, name, err := openDatabase(ctx, e, false)
	if err != nil {
		return err
	}
	defer db.Close()
	b, ok := db.(backuper)
	if !ok {
		return fmt.Errorf("%s is PostgreSQL: back it up with pg_dump", name)
	}
	if err := b.Backup(ctx, rest[0]); err != nil {
		return fmt.Errorf("backup of %s: %w", name, err)
	}
	fmt.Fprintf(e.stdout, "wrote a consistent copy of %s to %s\n", name, rest[0])
	return nil
}

// readPassword reads a password: prompted without echo on a terminal, else the first line of
// standard input (for scripts: echo "$PW" | aliscout users add ...).
func readPassword(e *env, prompt string) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(e.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(io.LimitReader(e.stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", fmt.Errorf("%w: no password: give it on standard input", errUsage)
	}
	return pw, nil
}

// accountError turns an accounts error into what the command line says.
func accountError(err error) error {
	switch {
	case errors.Is(err, accounts.ErrEmailTaken):
		return errors.New("an account with that email exists already")
	case errors.Is(err, accounts.ErrInvalidEmail):
		return fmt.Errorf("%w: that is not an email address", errUsage)
	case errors.Is(err, accounts.ErrWeakPassword):
		return fmt.Errorf("%w: %v", errUsage, err)
	case errors.Is(err, accounts.ErrTokenNameTaken):
		return fmt.Errorf("%w: that user has an API token with that name already: pick another --name", errUsage)
	}
	return err
}
