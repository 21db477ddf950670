package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliscout/aliscout/internal/accounts"
	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/sqlite"
)

// TestAccountCommands runs the commands an operator scripts, against the SQLite store in the data
// directory: users add (password on stdin), users list, tokens create (the token alone on its
// line, and it authenticates), migrate status and up, backup.
func TestAccountCommands(t *testing.T) {
	env := map[string]string{"ALISCOUT_DATA_DIR": t.TempDir()}
	r := aliscout(t, env, "correct horse battery\n", "users", "add", "Owner@Example.com", "--operator")
	if r.code != 0 || !strings.Contains(r.stdout, "operator") {
		t.Fatalf("users add --operator = %d %q %q", r.code, r.stdout, r.stderr)
	}
	if r := aliscout(t, env, "another good pw\n", "users", "add", "owner@example.com"); r.code == 0 || !strings.Contains(r.stderr, "exists") {
		t.Errorf("users add of a taken email (other case) = %d %q; want a refusal", r.code, r.stderr)
	}
	if r := aliscout(t, env, "short\n", "users", "add", "member@example.com"); r.code != 2 {
		t.Errorf("users add with a short password = %d %q; want a usage error", r.code, r.stderr)
	}
	if r := aliscout(t, env, "", "users", "add", "member@example.com"); r.code != 2 || !strings.Contains(r.stderr, "password") {
		t.Errorf("users add with no password = %d %q; want a usage error naming the password", r.code, r.stderr)
	}
	r = aliscout(t, env, "", "users", "list")
	if r.code != 0 || !strings.Contains(strings.ToLower(r.stdout), "owner@example.com") || !strings.Contains(r.stdout, "operator") {
		t.Errorf("users list = %d %q %q", r.code, r.stdout, r.stderr)
	}
	r = aliscout(t, env, "", "tokens", "create", "owner@example.com", "--name", "inventory script")
	token := strings.TrimSpace(r.stdout)
	if r.code != 0 || strings.Count(r.stdout, "\n") != 1 || !strings.HasPrefix(token, accounts.APITokenPrefix) {
		t.Fatalf("tokens create = %d %q %q; want the token alone on one line", r.code, r.stdout, r.stderr)
	}
	if r := aliscout(t, env, "", "tokens", "create", "nobody@example.com", "--name", "x"); r.code == 0 {
		t.Errorf("tokens create for an unknown email = 0; want an error")
	}
	db, err := sqlite.Open(context.Background(), filepath.Join(env["ALISCOUT_DATA_DIR"], sqliteFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	acc, _ := accounts.New(db, accounts.Config{})
	u, _, err := acc.AuthenticateToken(context.Background(), token)
	db.Close()
	if err != nil || !strings.EqualFold(u.Email, "owner@example.com") {
		t.Errorf("AuthenticateToken(the printed token) = %+v, %v; want the owner", u, err)
	}

	r = aliscout(t, env, "", "migrate", "status")
	if r.code != 0 || !strings.Contains(r.stdout, "schema version") || strings.Contains(r.stdout, "pending") {
		t.Errorf("migrate status on a migrated store = %d %q %q", r.code, r.stdout, r.stderr)
	}
	fresh := map[string]string{"ALISCOUT_DATA_DIR": env["ALISCOUT_DATA_DIR"], "ALISCOUT_DATABASE_URL": filepath.Join(t.TempDir(), "new.db")}
	if r := aliscout(t, fresh, "", "migrate", "status"); r.code != 0 || !strings.Contains(r.stdout, "pending") {
		t.Errorf("migrate status on a new store = %d %q; want pending migrations", r.code, r.stdout)
	}
	if r := aliscout(t, fresh, "", "migrate", "up"); r.code != 0 || !strings.Contains(r.stdout, "applied") {
		t.Errorf("migrate up = %d %q %q", r.code, r.stdout, r.stderr)
	}

	backup := filepath.Join(t.TempDir(), "copy.db")
	if r := aliscout(t, env, "", "backup", backup); r.code != 0 {
		t.Fatalf("backup = %d %q", r.code, r.stderr)
	}
	copied := map[string]string{"ALISCOUT_DATA_DIR": t.TempDir(), "ALISCOUT_DATABASE_URL": backup}
	if r := aliscout(t, copied, "", "users", "list"); r.code != 0 || !strings.Contains(strings.ToLower(r.stdout), "owner@example.com") {
		t.Errorf("users list on the backup = %d %q; want the owner restored", r.code, r.stdout)
	}
	if st, err := os.Stat(backup); err != nil || st.Size() == 0 {
		t.Errorf("backup file: %v", err)
	}
}

// TestServeRefusesAnUnreachableDatabase: serve names the database, without its password, and
// exits non-zero.
func TestServeRefusesAnUnreachableDatabase(t *testing.T) {
	env := map[string]string{"ALISCOUT_DATABASE_URL": "postgres://aliscout:s3cret-pw@127.0.0.1:1/aliscout?connect_timeout=2"}
	r := aliscout(t, env, "", "serve", "--addr", "127.0.0.1:0")
	if r.code == 0 || !strings.Contains(r.stderr, "127.0.0.1:1") || strings.Contains(r.stderr+r.stdout, "s3cret-pw") {
		t.Errorf("serve with an unreachable database = %d %q; want an error naming it without the password", r.code, r.stderr)
	}
	if r := aliscout(t, map[string]string{"ALISCOUT_DATABASE_URL": "mysql://x@y/z"}, "", "serve"); r.code != 2 || !strings.Contains(r.stderr, "mysql") {
		t.Errorf("serve with a mysql:// database = %d %q; want a usage error", r.code, r.stderr)
	}
}

// TestServeReadiness: /readyz is 200 with the store answering, 503 when the configured Redis does
// not answer; /healthz stays 200.
func TestServeReadiness(t *testing.T) {
	base, stop := startServe(t, nil)
	if code, _, body := get(t, base+"/readyz"); code != 200 {
		t.Errorf("GET /readyz = %d %s; want 200", code, body)
	}
	stop()
	base, stop = startServe(t, map[string]string{"ALISCOUT_REDIS_URL": "redis://127.0.0.1:1/0"})
	defer stop()
	if code, _, body := get(t, base+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(string(body), "redis") {
		t.Errorf("GET /readyz with Redis down = %d %s; want 503 naming redis", code, body)
	}
	if code, _, _ := get(t, base+"/healthz"); code != 200 {
		t.Errorf("GET /healthz with Redis down = %d; want 200", code)
	}
}
