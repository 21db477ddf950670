package jobs

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aliscout/aliscout/internal/store"
	"github.com/aliscout/aliscout/internal/store/sqlite"
)

// TestSQLiteBesideStore: River keeps its tables in the store's file through a connection of its
// own; the store's writes and River's polling, inserts and completions go on together without
// "database is locked" on either side.
func TestSQLiteBesideStore(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "aliscout.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, store.User{Email: "ana@example.com", PasswordHash: "h", Role: store.RoleMember})
	if err != nil {
		t.Fatal(err)
	}
	db, err := OpenSQLite(ctx, st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	w := NewWorkers()
	var done atomic.Int32
	Handle(w, func(ctx context.Context, work Work[echoArgs]) error {
		// A job that writes to the store, as the real ones do.
		if _, err := st.CreateList(ctx, u.ID, fmt.Sprintf("job %d", work.Args.N)); err != nil {
			return err
		}
		done.Add(1)
		return nil
	})
	q := newQueue(t, testConfig(SQLite(db), w))
	start(t, q)

	const n = 100
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	wg.Go(func() {
		for i := range n {
			if _, err := q.Insert(ctx, echoArgs{N: i}, nil); err != nil {
				errs <- fmt.Errorf("insert %d: %w", i, err)
			}
		}
	})
	wg.Go(func() {
		for i := range n {
			if _, err := st.CreateList(ctx, u.ID, fmt.Sprintf("user %d", i)); err != nil {
				errs <- fmt.Errorf("store write %d: %w", i, err)
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for done.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d jobs done after 30s", done.Load(), n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if failed, err := q.Failed(ctx, 10); err != nil || len(failed) != 0 {
		t.Errorf("Failed = %+v, %v; want none", failed, err)
	}
	lists, err := st.Lists(ctx, u.ID)
	if err != nil || len(lists) != 2*n {
		t.Errorf("store has %d lists, %v; want %d", len(lists), err, 2*n)
	}
}
