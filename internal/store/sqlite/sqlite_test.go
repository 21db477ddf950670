package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/sqlite"
	"github.com/aliscout/aliscout/internal/store/storetest"
)

func open(t *testing.T, path string, opts store.Options) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(t.Context(), path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, opts store.Options) store.Store {
		return open(t, filepath.Join(t.TempDir(), "aliscout.db"), opts)
	})
}

func TestOpenSettings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "aliscout.db")
	open(t, path, store.Options{})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("database file mode = %v; want 0600 (it holds password hashes)", fi.Mode().Perm())
	}
	// Check the pragmas from a connection of our own: the file is in WAL mode.
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var mode string
	if err := raw.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	if _, err := sqlite.Open(t.Context(), path+"?mode=memory", store.Options{}); err == nil {
		t.Errorf("Open(path with ?) succeeded; want an error")
	}
}

// TestWriteVisibleToAnotherConnection: a write that returned is in the file, before Close, for a
// connection that has nothing to do with the store's.
func TestWriteVisibleToAnotherConnection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aliscout.db")
	db := open(t, path, store.Options{})
	u, err := db.CreateUser(t.Context(), store.User{Email: "ana@example.com", PasswordHash: "h", Role: store.RoleMember})
	if err != nil {
		t.Fatal(err)
	}
	other := open(t, path, store.Options{})
	got, err := other.UserByEmail(t.Context(), "ana@example.com")
	if err != nil || got.ID != u.ID {
		t.Errorf("second store's UserByEmail = %+v, %v; want user %d", got, err, u.ID)
	}
}

// crashHelperEnv names the database a re-executed test binary writes to before it is killed.
const crashHelperEnv = "ALISCOUT_TEST_SQLITE_CRASH_DB"

// TestCrashHelper is not a test of its own: TestDurableAfterSIGKILL runs the test binary again
// with only this test and crashHelperEnv set. It saves items one by one, printing each id once
// SaveItem has returned, until it is killed.
func TestCrashHelper(t *testing.T) {
	path := os.Getenv(crashHelperEnv)
	if path == "" {
		t.Skip("only run by TestDurableAfterSIGKILL")
	}
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path, store.Options{})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	u, err := db.CreateUser(ctx, store.User{Email: "ana@example.com", PasswordHash: "h", Role: store.RoleMember})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	l, err := db.CreateList(ctx, u.ID, "Saved")
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	fmt.Printf("list %d %d\n", u.ID, l.ID)
	for i := 0; ; i++ {
		it, _, err := db.SaveItem(ctx, u.ID, l.ID, store.ListItem{ProductID: fmt.Sprint(i), Price: storeMoney(int64(i))})
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Printf("saved %s\n", it.ProductID)
	}
}

// TestDurableAfterSIGKILL: every write the process was told had succeeded is in the file after
// the process is killed without a chance to close anything.
func TestDurableAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	path := filepath.Join(t.TempDir(), "aliscout.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashHelperEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var userID, listID int64
	var lastSaved string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "list "):
			fmt.Sscanf(line, "list %d %d", &userID, &listID)
		case strings.HasPrefix(line, "saved "):
			lastSaved = strings.TrimPrefix(line, "saved ")
		case strings.HasPrefix(line, "error:"):
			t.Fatalf("helper: %s", line)
		}
		if lastSaved == "20" {
			break
		}
	}
	// SIGKILL: no deferred function, no Close, no checkpoint runs.
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	// Count the last acknowledged lines the pipe still holds.
	for sc.Scan() {
		if line := sc.Text(); strings.HasPrefix(line, "saved ") {
			lastSaved = strings.TrimPrefix(line, "saved ")
		}
	}
	cmd.Wait()
	if lastSaved == "" {
		t.Fatal("the helper saved nothing before it was killed")
	}

	db := open(t, path, store.Options{})
	items, err := db.Items(t.Context(), userID, listID)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	fmt.Sscan(lastSaved, &n)
	if len(items) < n+1 {
		t.Errorf("after SIGKILL the list has %d items; the helper was told %d were saved", len(items), n+1)
	}
	for i, it := range items {
		if it.ProductID != fmt.Sprint(i) || it.Position != i {
			t.Errorf("item %d = %s at %d; want product %d at %d", i, it.ProductID, it.Position, i, i)
			break
		}
	}
}

// TestBackupWhileWriting: Backup copies a consistent database while writers go on, and the copy
// opens as a store.
func TestBackupWhileWriting(t *testing.T) {
	dir := t.TempDir()
	db := open(t, filepath.Join(dir, "aliscout.db"), store.Options{})
	ctx := t.Context()
	u, err := db.CreateUser(ctx, store.User{Email: "ana@example.com", PasswordHash: "h", Role: store.RoleMember})
	if err != nil {
		t.Fatal(err)
	}
	l, err := db.CreateList(ctx, u.ID, "Saved")
	if err != nil {
		t.Fatal(err)
	}
	const before = 50
	for i := range before {
		if _, _, err := db.SaveItem(ctx, u.ID, l.ID, store.ListItem{ProductID: fmt.Sprint(i), Price: storeMoney(1)}); err != nil {
			t.Fatal(err)
		}
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var written int
	var writeErr error
	wg.Go(func() {
		for i := before; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if _, _, err := db.SaveItem(ctx, u.ID, l.ID, store.ListItem{ProductID: fmt.Sprint(i), Price: storeMoney(1)}); err != nil {
				writeErr = err
				return
			}
			written++
		}
	})
	backups := []string{filepath.Join(dir, "backup-1.db"), filepath.Join(dir, "backup-2.db")}
	for _, b := range backups {
		if err := db.Backup(ctx, b); err != nil {
			t.Fatalf("Backup(%s): %v", b, err)
		}
	}
	close(stop)
	wg.Wait()
	if writeErr != nil {
		t.Fatalf("writing during the backup: %v", writeErr)
	}
	if err := db.Backup(ctx, backups[0]); err == nil {
		t.Errorf("Backup over an existing file succeeded; want an error")
	}

	for _, b := range backups {
		raw, err := sql.Open("sqlite", b)
		if err != nil {
			t.Fatal(err)
		}
		var check string
		if err := raw.QueryRow("PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Errorf("integrity_check(%s) = %q, %v; want ok", b, check, err)
		}
		raw.Close()

		copyDB := open(t, b, store.Options{})
		items, err := copyDB.Items(ctx, u.ID, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) < before || len(items) > before+written {
			t.Errorf("backup %s has %d items; want between %d and %d", b, len(items), before, before+written)
		}
		for i, it := range items {
			if it.Position != i {
				t.Errorf("backup %s: item %d at position %d: not a consistent snapshot", b, i, it.Position)
				break
			}
		}
		if got, err := copyDB.List(ctx, u.ID, l.ID); err != nil || got.ItemCount != len(items) {
			t.Errorf("backup %s: List = %+v, %v; want %d items", b, got, err, len(items))
		}
	}
}

func TestMigrations(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aliscout.db")
	db, err := sqlite.Open(t.Context(), path, store.Options{SkipMigrations: true})
	if err != nil {
		t.Fatal(err)
	}
	st, err := db.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Current != 0 || st.Latest < 1 || len(st.Pending) != int(st.Latest) || st.Pending[0].Version != 1 {
		t.Errorf("Status of a new database = %+v; want version 0 and every migration pending", st)
	}
	applied, err := db.Up(t.Context())
	if err != nil || len(applied) != int(st.Latest) {
		t.Fatalf("Up = %+v, %v; want %d migrations applied", applied, err, st.Latest)
	}
	if applied[0].Name != "00001_accounts_and_lists.sql" {
		t.Errorf("first migration = %+v", applied[0])
	}
	after, err := db.Status(t.Context())
	if err != nil || after.Current != st.Latest || len(after.Pending) != 0 {
		t.Errorf("Status after Up = %+v, %v; want at %d with nothing pending", after, err, st.Latest)
	}
	if again, err := db.Up(t.Context()); err != nil || len(again) != 0 {
		t.Errorf("second Up = %+v, %v; want nothing to do", again, err)
	}
	db.Close()

	// Open migrates, and a second Open finds nothing to do.
	db2 := open(t, path, store.Options{})
	if st, err := db2.Status(t.Context()); err != nil || st.Current != st.Latest {
		t.Errorf("Status after reopening = %+v, %v", st, err)
	}
}

// TestSchemaTooNew: a database a newer aliscout migrated is refused with a message that says
// what to do, and left untouched.
func TestSchemaTooNew(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aliscout.db")
	db := open(t, path, store.Options{})
	st, err := db.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	future := st.Latest + 40
	if _, err := raw.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, future); err != nil {
		t.Fatal(err)
	}

	_, err = sqlite.Open(t.Context(), path, store.Options{})
	var tooNew *store.SchemaTooNewError
	if !errors.As(err, &tooNew) || tooNew.Database != future || tooNew.Binary != st.Latest {
		t.Fatalf("Open(newer database) = %v; want a *store.SchemaTooNewError{%d, %d}", err, future, st.Latest)
	}
	want := fmt.Sprintf("database schema version %d is newer than this aliscout (%d); upgrade aliscout", future, st.Latest)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("Open(newer database) = %q; want it to say %q", err, want)
	}
	// migrate status still works on it.
	skip := open(t, path, store.Options{SkipMigrations: true})
	if got, err := skip.Status(t.Context()); err != nil || got.Current != future {
		t.Errorf("Status(newer database) = %+v, %v; want current %d", got, err, future)
	}
}
