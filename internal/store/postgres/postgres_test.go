package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/postgres"
	"github.com/aliscout/aliscout/internal/store/postgres/pgtest"
	"github.com/aliscout/aliscout/internal/store/storetest"
)

// freshDatabase creates an empty database for t, dropped when t ends, and returns its URL.
func freshDatabase(t *testing.T) string { return pgtest.FreshDatabase(t) }

func open(t *testing.T, databaseURL string, opts store.Options) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(t.Context(), databaseURL, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, opts store.Options) store.Store {
		return open(t, freshDatabase(t), opts)
	})
}

// TestConcurrentOpenMigratesOnce: replicas starting at the same moment on a new database all
// come up, and each migration is applied once.
func TestConcurrentOpenMigratesOnce(t *testing.T) {
	dbURL := freshDatabase(t)
	const replicas = 3
	dbs := make([]*postgres.DB, replicas)
	errs := make([]error, replicas)
	var wg sync.WaitGroup
	for i := range replicas {
		wg.Go(func() { dbs[i], errs[i] = postgres.Open(t.Context(), dbURL, store.Options{}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: Open = %v", i, err)
		}
		defer dbs[i].Close()
	}
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT version_id, COUNT(*) FROM goose_db_version GROUP BY version_id ORDER BY version_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var versions []int64
	for rows.Next() {
		var v, n int64
		if err := rows.Scan(&v, &n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("version %d recorded %d times; want once", v, n)
		}
		versions = append(versions, v)
	}
	st, err := dbs[0].Status(ctx)
	if err != nil || st.Current != st.Latest || len(st.Pending) != 0 {
		t.Errorf("Status = %+v, %v; want up to date", st, err)
	}
	if len(versions) != int(st.Latest)+1 { // goose records version 0 too
		t.Errorf("recorded versions %v; want 0..%d", versions, st.Latest)
	}
	// Every replica works.
	for i, db := range dbs {
		if _, err := db.CreateUser(ctx, store.User{Email: fmt.Sprintf("r%d@example.com", i), PasswordHash: "h", Role: store.RoleMember}); err != nil {
			t.Errorf("replica %d: CreateUser = %v", i, err)
		}
	}
}

func TestMigrations(t *testing.T) {
	dbURL := freshDatabase(t)
	db := open(t, dbURL, store.Options{SkipMigrations: true})
	st, err := db.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if st.Current != 0 || st.Latest < 1 || len(st.Pending) != int(st.Latest) {
		t.Errorf("Status of a new database = %+v; want version 0 and every migration pending", st)
	}
	applied, err := db.Up(t.Context())
	if err != nil || len(applied) != int(st.Latest) || applied[0].Name != "00001_accounts_and_lists.sql" {
		t.Fatalf("Up = %+v, %v; want %d migrations from 00001_accounts_and_lists.sql", applied, err, st.Latest)
	}
	if again, err := db.Up(t.Context()); err != nil || len(again) != 0 {
		t.Errorf("second Up = %+v, %v; want nothing to do", again, err)
	}
}

func TestSchemaTooNew(t *testing.T) {
	dbURL := freshDatabase(t)
	db := open(t, dbURL, store.Options{})
	st, err := db.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	future := st.Latest + 40
	if _, err := conn.Exec(t.Context(), `INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)`, future); err != nil {
		t.Fatal(err)
	}
	_, err = postgres.Open(t.Context(), dbURL, store.Options{})
	var tooNew *store.SchemaTooNewError
	if !errors.As(err, &tooNew) || tooNew.Database != future || tooNew.Binary != st.Latest {
		t.Fatalf("Open(newer database) = %v; want a *store.SchemaTooNewError{%d, %d}", err, future, st.Latest)
	}
	want := fmt.Sprintf("database schema version %d is newer than this aliscout (%d); upgrade aliscout", future, st.Latest)
	if !strings.Contains(err.Error(), want) {
		t.Errorf("Open(newer database) = %q; want it to say %q", err, want)
	}
}

// TestOpenNoServer: a database that does not answer is an error that names where it looked,
// without the password, quickly.
func TestOpenNoServer(t *testing.T) {
	const password = "s3cr3t-pw"
	for _, dbURL := range []string{
		"postgres://aliscout:" + password + "@127.0.0.1:1/aliscout?sslmode=disable",
		"postgres://aliscout@127.0.0.1:1/aliscout?sslmode=disable&password=" + password,
		"host=127.0.0.1 port=1 user=aliscout password=" + password + " dbname=aliscout sslmode=disable",
		"postgres://aliscout:" + password + "@127.0.0.1:notaport/aliscout",
	} {
		ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
		db, err := postgres.Open(ctx, dbURL, store.Options{})
		cancel()
		if err == nil {
			db.Close()
			t.Errorf("Open(%s) succeeded; want an error", postgres.Redact(dbURL))
			continue
		}
		t.Logf("Open: %v", err)
		if strings.Contains(err.Error(), password) {
			t.Errorf("Open error shows the password: %v", err)
		}
		if !strings.Contains(err.Error(), "127.0.0.1") {
			t.Errorf("Open error = %q; want it to name the server", err)
		}
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://u:pw@h:5432/db?sslmode=disable", "postgres://u:xxxxx@h:5432/db?sslmode=disable"},
		{"postgres://u@h/db", "postgres://u@h/db"},
		{"postgresql://u@h/db?password=pw&sslpassword=k", "postgresql://u@h/db?password=xxxxx&sslpassword=xxxxx"},
		{"host=h user=u password=pw dbname=db", "host=h user=u password=xxxxx dbname=db"},
		{"host=h password='p w' dbname=db", "host=h password=xxxxx dbname=db"},
		{"postgres://u:pw@h:port/db", "postgres://xxxxx@h:port/db"},
		{"postgres://u:p@w@h:port/db?password=pw&x=1", "postgres://xxxxx@h:port/db?password=xxxxx&x=1"},
	} {
		if got := postgres.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}
