// Package pgtest gives tests a PostgreSQL database of their own: created on the server that
// ALISCOUT_TEST_DATABASE_URL names (default postgres://postgres@127.0.0.1:5432/postgres) and
// dropped when the test ends. Without a server the test is skipped, unless
// ALISCOUT_REQUIRE_POSTGRES=1 (CI) makes that a failure.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

const defaultAdminURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

func adminURL() string {
	if u := os.Getenv("ALISCOUT_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return defaultAdminURL
}

var serverReachable = sync.OnceValue(func() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.Ping(ctx)
})

// FreshDatabase creates an empty database for t, dropped when t ends, and returns its URL.
func FreshDatabase(t testing.TB) string {
	t.Helper()
	if err := serverReachable(); err != nil {
		msg := fmt.Sprintf("PostgreSQL at %s does not answer (%v)", shown(), err)
		if os.Getenv("ALISCOUT_REQUIRE_POSTGRES") == "1" {
			t.Fatalf("%s and ALISCOUT_REQUIRE_POSTGRES=1", msg)
		}
		t.Skipf("%s: skipping; set ALISCOUT_TEST_DATABASE_URL, and ALISCOUT_REQUIRE_POSTGRES=1 to fail instead", msg)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "aliscout_test_" + hex.EncodeToString(b[:])
	admin(t, "CREATE DATABASE "+name)
	t.Cleanup(func() { admin(t, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })

	u, err := url.Parse(adminURL())
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return adminURL() + " dbname=" + name
	}
	u.Path = "/" + name
	return u.String()
}

func admin(t testing.TB, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, adminURL())
	if err != nil {
		t.Fatalf("connect to %s: %v", shown(), err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// shown is the admin URL without its password, for messages. (It does not import the engine for
// its Redact: only cmd/aliscout imports adapters.)
func shown() string {
	u, err := url.Parse(adminURL())
	if err != nil || u.User == nil {
		return "the test database server"
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
