package jobs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/aliscout/aliscout/internal/store/postgres/pgtest"
)

// eachDatabase runs fn against SQLite and PostgreSQL (skipped without a server).
func eachDatabase(t *testing.T, fn func(t *testing.T, open func(t *testing.T) Driver)) {
	t.Run("SQLite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "aliscout.db")
		fn(t, func(t *testing.T) Driver { return sqliteDriver(t, path) })
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		url := pgtest.FreshDatabase(t)
		fn(t, func(t *testing.T) Driver { return postgresDriver(t, url) })
	})
}

func sqliteDriver(t *testing.T, path string) Driver {
	t.Helper()
	db, err := OpenSQLite(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return SQLite(db)
}

func postgresDriver(t *testing.T, url string) Driver {
	t.Helper()
	if url == "" {
		url = pgtest.FreshDatabase(t)
	}
	pool, err := pgxpool.New(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return Postgres(pool)
}

// testConfig is a queue config for tests: short backoff and polling, no startup stagger.
func testConfig(d Driver, w *Workers) Config {
	return Config{
		Logger:       slog.New(slog.DiscardHandler),
		Driver:       d,
		Workers:      w,
		Backoff:      func(int) time.Duration { return 10 * time.Millisecond },
		PollInterval: 50 * time.Millisecond,
		JobTimeout:   5 * time.Second,
		RescueAfter:  time.Minute,
		testOnly:     true,
	}
}

func newQueue(t *testing.T, cfg Config) *Queue {
	t.Helper()
	q, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return q
}

func start(t *testing.T, q *Queue) {
	t.Helper()
	if err := q.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		q.Stop(ctx)
	})
}

// waitState waits until job id is in state want.
func waitState(t *testing.T, q *Queue, id int64, want State, within time.Duration) Job {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		j, err := q.Job(t.Context(), id)
		if err == nil && j.State == want {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %d = %+v, %v after %v; want state %s", id, j, err, within, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

type echoArgs struct {
	N int `json:"n"`
}

func (echoArgs) Kind() string { return "test_echo" }

type failArgs struct {
	Key string `json:"key"`
}

func (failArgs) Kind() string { return "test_fail" }

type blockArgs struct {
	Key string `json:"key"`
}

func (blockArgs) Kind() string { return "test_block" }

func TestJobRuns(t *testing.T) {
	eachDatabase(t, func(t *testing.T, open func(t *testing.T) Driver) {
		w := NewWorkers()
		got := make(chan int, 1)
		q := newQueue(t, testConfig(open(t), w))
		// Handlers may be added after New, before Start.
		Handle(w, func(ctx context.Context, work Work[echoArgs]) error {
			got <- work.Args.N
			return nil
		})
		start(t, q)
		ins, err := q.Insert(t.Context(), echoArgs{N: 42}, nil)
		if err != nil {
			t.Fatal(err)
		}
		select {
		case n := <-got:
			if n != 42 {
				t.Errorf("handler got %d; want 42", n)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("the job did not run")
		}
		waitState(t, q, ins.ID, StateCompleted, 5*time.Second)
	})
}

// TestUniqueAcrossReplicas: two replicas inserting the same unique job make one job, worked once;
// once it has finished the next one may be inserted.
func TestUniqueAcrossReplicas(t *testing.T) {
	eachDatabase(t, func(t *testing.T, open func(t *testing.T) Driver) {
		var runs atomic.Int32
		release := make(chan struct{})
		replicas := make([]*Queue, 2)
		for i := range replicas {
			w := NewWorkers()
			Handle(w, func(ctx context.Context, work Work[blockArgs]) error {
				runs.Add(1)
				<-release
				return nil
			})
			replicas[i] = newQueue(t, testConfig(open(t), w))
		}
		var ids [2]Inserted
		var wg sync.WaitGroup
		for i, q := range replicas {
			wg.Go(func() {
				var err error
				ids[i], err = q.Insert(t.Context(), blockArgs{Key: "account-7"}, &InsertOpts{Unique: true})
				if err != nil {
					t.Errorf("replica %d: Insert: %v", i, err)
				}
			})
		}
		wg.Wait()
		if ids[0].ID != ids[1].ID || ids[0].Duplicate == ids[1].Duplicate {
			t.Fatalf("inserts = %+v; want one job, one insert marked duplicate", ids)
		}
		for _, q := range replicas {
			start(t, q)
		}
		waitState(t, replicas[0], ids[0].ID, StateRunning, 10*time.Second)
		// Still unique while it runs.
		again, err := replicas[1].Insert(t.Context(), blockArgs{Key: "account-7"}, &InsertOpts{Unique: true})
		if err != nil || !again.Duplicate || again.ID != ids[0].ID {
			t.Errorf("Insert while running = %+v, %v; want the running job as a duplicate", again, err)
		}
		other, err := replicas[1].Insert(t.Context(), blockArgs{Key: "account-8"}, &InsertOpts{Unique: true})
		if err != nil || other.Duplicate {
			t.Errorf("Insert(other account) = %+v, %v; want a new job", other, err)
		}
		close(release)
		waitState(t, replicas[0], ids[0].ID, StateCompleted, 10*time.Second)
		waitState(t, replicas[0], other.ID, StateCompleted, 10*time.Second)
		if n := runs.Load(); n != 2 {
			t.Errorf("runs = %d; want 2 (one per account)", n)
		}
		next, err := replicas[0].Insert(t.Context(), blockArgs{Key: "account-7"}, &InsertOpts{Unique: true})
		if err != nil || next.Duplicate {
			t.Errorf("Insert after completion = %+v, %v; want a new job", next, err)
		}
	})
}

// TestRetryThenDiscard: a failing job is retried with backoff, then discarded and listed for the
// operator, who can run it again or discard it.
func TestRetryThenDiscard(t *testing.T) {
	eachDatabase(t, func(t *testing.T, open func(t *testing.T) Driver) {
		w := NewWorkers()
		var attempts atomic.Int32
		var healed atomic.Bool
		Handle(w, func(ctx context.Context, work Work[failArgs]) error {
			attempts.Add(1)
			if healed.Load() {
				return nil
			}
			return fmt.Errorf("mail server down (attempt %d)", work.Attempt)
		})
		q := newQueue(t, testConfig(open(t), w))
		start(t, q)
		ins, err := q.Insert(t.Context(), failArgs{Key: "a"}, &InsertOpts{MaxAttempts: 3})
		if err != nil {
			t.Fatal(err)
		}
		j := waitState(t, q, ins.ID, StateDiscarded, 30*time.Second)
		if n := attempts.Load(); n != 3 || j.Attempt != 3 {
			t.Errorf("attempts = %d, job attempt %d; want 3", n, j.Attempt)
		}
		want := []string{"mail server down (attempt 1)", "mail server down (attempt 2)", "mail server down (attempt 3)"}
		if strings.Join(j.Errors, "|") != strings.Join(want, "|") {
			t.Errorf("errors = %q; want %q", j.Errors, want)
		}
		failed, err := q.Failed(t.Context(), 10)
		if err != nil || len(failed) != 1 || failed[0].ID != ins.ID || failed[0].Kind != "test_fail" ||
			strings.ReplaceAll(failed[0].Args, " ", "") != `{"key":"a"}` {
			t.Fatalf("Failed = %+v, %v; want the job", failed, err)
		}

		healed.Store(true)
		if _, err := q.Retry(t.Context(), ins.ID); err != nil {
			t.Fatal(err)
		}
		waitState(t, q, ins.ID, StateCompleted, 10*time.Second)
		if failed, err := q.Failed(t.Context(), 10); err != nil || len(failed) != 0 {
			t.Errorf("Failed after retry = %+v, %v; want none", failed, err)
		}

		// Discard of a job failed for good removes it.
		healed.Store(false)
		ins2, err := q.Insert(t.Context(), failArgs{Key: "b"}, &InsertOpts{MaxAttempts: 1})
		if err != nil {
			t.Fatal(err)
		}
		waitState(t, q, ins2.ID, StateDiscarded, 10*time.Second)
		if err := q.Discard(t.Context(), ins2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := q.Job(t.Context(), ins2.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("Job(discarded) = %v; want ErrNotFound", err)
		}
		if err := q.Discard(t.Context(), ins2.ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("Discard twice = %v; want ErrNotFound", err)
		}
	})
}

// TestStopDrains: Stop waits for running jobs; when its context ends first, running jobs are
// cancelled and released for another replica rather than lost.
func TestStopDrains(t *testing.T) {
	eachDatabase(t, func(t *testing.T, open func(t *testing.T) Driver) {
		w := NewWorkers()
		started := make(chan string, 2)
		release := make(chan struct{})
		Handle(w, func(ctx context.Context, work Work[blockArgs]) error {
			started <- work.Args.Key
			if work.Args.Key == "stubborn" {
				<-ctx.Done()
				return ctx.Err()
			}
			<-release
			return nil
		})
		q := newQueue(t, testConfig(open(t), w))
		if err := q.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		ins, err := q.Insert(t.Context(), blockArgs{Key: "polite"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		<-started
		stopped := make(chan error, 1)
		go func() { stopped <- q.Stop(context.Background()) }()
		select {
		case err := <-stopped:
			t.Fatalf("Stop returned (%v) while a job was running", err)
		case <-time.After(300 * time.Millisecond):
		}
		close(release)
		if err := <-stopped; err != nil {
			t.Fatalf("Stop = %v", err)
		}
		j, err := q.Job(t.Context(), ins.ID)
		if err != nil || j.State != StateCompleted {
			t.Errorf("after Stop the job is %+v, %v; want completed", j, err)
		}

		// A job that outlives the grace period is cancelled and kept for a retry.
		q2 := newQueue(t, testConfig(open(t), w))
		if err := q2.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		ins2, err := q2.Insert(t.Context(), blockArgs{Key: "stubborn"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		<-started
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		if err := q2.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Stop after the grace period = %v; want context.DeadlineExceeded", err)
		}
		j, err = q2.Job(t.Context(), ins2.ID)
		// River releases it: back to available, the interrupted attempt not counted.
		if err != nil || j.State != StateAvailable || j.Attempt != 0 || len(j.Errors) != 0 {
			t.Errorf("after a hard stop the job is %+v, %v; want available again with no attempt counted", j, err)
		}
	})
}

func TestPeriodic(t *testing.T) {
	eachDatabase(t, func(t *testing.T, open func(t *testing.T) Driver) {
		w := NewWorkers()
		var runs atomic.Int32
		Handle(w, func(ctx context.Context, work Work[echoArgs]) error {
			runs.Add(1)
			return nil
		})
		cfg := testConfig(open(t), w)
		cfg.Periodic = []Periodic{{Every: 200 * time.Millisecond, Args: echoArgs{N: 1}, RunOnStart: true}}
		q := newQueue(t, cfg)
		start(t, q)
		deadline := time.Now().Add(20 * time.Second)
		for runs.Load() < 3 {
			if time.Now().After(deadline) {
				t.Fatalf("periodic job ran %d times in 20s; want 3", runs.Load())
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// crashEnv names the database (engine:location) that a re-executed test binary works a blocking
// job in until it is killed.
const crashEnv = "ALISCOUT_TEST_JOBS_CRASH"

// TestCrashHelper is not a test of its own: TestRescueAfterKill runs the test binary again with
// only this test and crashEnv set. It inserts a job that blocks forever, says "running" once the
// job runs, and waits to be killed.
func TestCrashHelper(t *testing.T) {
	spec := os.Getenv(crashEnv)
	if spec == "" {
		t.Skip("only run by TestRescueAfterKill")
	}
	engine, where, _ := strings.Cut(spec, ":")
	ctx := context.Background()
	var d Driver
	if engine == "sqlite" {
		db, err := OpenSQLite(ctx, where)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		d = SQLite(db)
	} else {
		pool, err := pgxpool.New(ctx, where)
		if err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		d = Postgres(pool)
	}
	w := NewWorkers()
	Handle(w, func(ctx context.Context, work Work[blockArgs]) error {
		fmt.Println("running", work.ID)
		select {} // ignores its context: only SIGKILL ends it
	})
	cfg := testConfig(d, w)
	cfg.noLeader = true // the killed process must not be the one that would rescue
	q, err := New(ctx, cfg)
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	if err := q.Start(ctx); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	if _, err := q.Insert(ctx, blockArgs{Key: "crash"}, nil); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	select {}
}

// TestRescueAfterKill: a process killed in the middle of a job leaves it running in the table;
// another replica rescues it after RescueAfter and runs it again.
func TestRescueAfterKill(t *testing.T) {
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	eachDatabase(t, func(t *testing.T, open func(t *testing.T) Driver) {
		var spec string
		d := open(t)
		if d.db != nil {
			var path string
			if err := d.db.QueryRow("SELECT file FROM pragma_database_list WHERE name = 'main'").Scan(&path); err != nil {
				t.Fatal(err)
			}
			spec = "sqlite:" + path
		} else {
			spec = "postgres:" + d.pool.Config().ConnString()
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashEnv+"="+spec)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var id int64
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "error:") {
				t.Fatalf("helper: %s", line)
			}
			if _, err := fmt.Sscanf(line, "running %d", &id); err == nil {
				break
			}
		}
		if id == 0 {
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("the helper never ran its job")
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()

		w := NewWorkers()
		reran := make(chan Work[blockArgs], 1)
		Handle(w, func(ctx context.Context, work Work[blockArgs]) error {
			reran <- work
			return nil
		})
		cfg := testConfig(d, w)
		cfg.JobTimeout = 500 * time.Millisecond
		cfg.RescueAfter = time.Second
		q := newQueue(t, cfg)
		if j, err := q.Job(t.Context(), id); err != nil || j.State != StateRunning {
			t.Fatalf("after the kill the job is %+v, %v; want still running", j, err)
		}
		time.Sleep(cfg.RescueAfter + 200*time.Millisecond)
		start(t, q)
		select {
		case work := <-reran:
			if work.ID != id || work.Attempt != 2 {
				t.Errorf("rerun = %+v; want job %d, attempt 2", work, id)
			}
		case <-time.After(30 * time.Second):
			j, err := q.Job(t.Context(), id)
			t.Fatalf("the killed job was not run again within 30s: %+v, %v", j, err)
		}
		waitState(t, q, id, StateCompleted, 5*time.Second)
	})
}

// TestRecent: the jobs of one kind in every state, newest first, and none of another kind.
func TestRecent(t *testing.T) {
	eachDatabase(t, func(t *testing.T, open func(t *testing.T) Driver) {
		w := NewWorkers()
		Handle(w, func(ctx context.Context, work Work[echoArgs]) error { return nil })
		Handle(w, func(ctx context.Context, work Work[failArgs]) error { return nil })
		q := newQueue(t, testConfig(open(t), w))
		first, err := q.Insert(t.Context(), echoArgs{N: 1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		start(t, q)
		waitState(t, q, first.ID, StateCompleted, 5*time.Second)
		if _, err := q.Insert(t.Context(), failArgs{Key: "other"}, &InsertOpts{ScheduledAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		second, err := q.Insert(t.Context(), echoArgs{N: 2}, &InsertOpts{ScheduledAt: time.Now().Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		got, err := q.Recent(t.Context(), echoArgs{}.Kind(), 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != second.ID || got[1].ID != first.ID || got[1].State != StateCompleted || got[0].State != StateScheduled {
			t.Errorf("Recent = %+v; want job %d (scheduled) then %d (completed)", got, second.ID, first.ID)
		}
	})
}
