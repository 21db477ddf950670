// Command cluster is aliscout's multi-replica load test: several `aliscout serve` replicas on one
// PostgreSQL and one Redis, behind a load balancer that checks /readyz, with the simulator as the
// upstream behind a gateway hop that adds network latency, and a few hundred signed-in users doing a
// realistic mix for a few minutes. Halfway through it kills one replica with SIGKILL and starts it
// again. It then runs the same mix against one replica alone, so the scaling factor is measured.
//
//	go run ./scripts/cluster                        # 3 replicas, 200 users, 3 minutes, then 1 replica
//	go run ./scripts/cluster -duration 1m -users 50 # a shorter run
//
// It prints, per route, requests, requests per second, p50 and p99 latency and errors; the upstream
// calls per minute against the daily budget; when the killed replica left and rejoined the load
// balancer's rotation; and whether any session was lost. It needs PostgreSQL (ALISCOUT_TEST_DATABASE_URL,
// default postgres://postgres@127.0.0.1:5432/postgres; a fresh database per phase, dropped after)
// and Redis (ALISCOUT_TEST_REDIS_URL, default redis://127.0.0.1:6379/13; that database is flushed).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"time"
)

type options struct {
	replicas int
	users    int
	duration time.Duration
	latency  time.Duration
	think    time.Duration
	budget   int
	kill     bool
	single   bool
	bin      string
	verbose  bool
	// connectEvery: every n-th user connects an AliExpress account (0: none), so that their
	// product pages read variants and stock through it, as a connected user's do.
	connectEvery int
}

func main() {
	var o options
	flag.IntVar(&o.replicas, "replicas", 3, "aliscout serve replicas behind the load balancer")
	flag.IntVar(&o.users, "users", 200, "signed-in users, each a loop of actions with think time")
	flag.DurationVar(&o.duration, "duration", 3*time.Minute, "how long the mix runs, per phase")
	flag.DurationVar(&o.latency, "latency", 20*time.Millisecond, "latency the gateway hop adds to every upstream call")
	flag.DurationVar(&o.think, "think", time.Second, "mean think time between a user's actions (exponential)")
	flag.IntVar(&o.budget, "budget", 20000, "ALISCOUT_DAILY_BUDGET of the replicas (shared by all)")
	flag.BoolVar(&o.kill, "kill", true, "kill one replica with SIGKILL at 40% of the run and start it again 15 s later")
	flag.BoolVar(&o.single, "single", true, "then run the same mix against one replica alone")
	flag.StringVar(&o.bin, "bin", "", "a built aliscout binary (default: go build ./cmd/aliscout)")
	flag.IntVar(&o.connectEvery, "connect-every", 2, "every n-th user connects an AliExpress account (0: none)")
	flag.BoolVar(&o.verbose, "v", false, "print the replicas' logs when they end")
	flag.Parse()
	log.SetFlags(log.Ltime)
	log.SetPrefix("cluster: ")

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, o options) error {
	if o.bin == "" {
		dir, err := os.MkdirTemp("", "aliscout-cluster-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.bin = filepath.Join(dir, "aliscout")
		log.Printf("building aliscout")
		out, err := exec.CommandContext(ctx, "go", "build", "-o", o.bin, "./cmd/aliscout").CombinedOutput()
		if err != nil {
			return fmt.Errorf("go build: %v\n%s", err, out)
		}
	}
	multi, err := phase(ctx, o, o.replicas, o.kill)
	if err != nil {
		return err
	}
	report(os.Stdout, fmt.Sprintf("%d replicas", o.replicas), multi)
	if !o.single || o.replicas == 1 {
		return nil
	}
	one, err := phase(ctx, o, 1, false)
	if err != nil {
		return err
	}
	report(os.Stdout, "1 replica", one)
	fmt.Printf("\nscaling: %d replicas served %.0f req/s, one replica %.0f req/s on the same mix: %.2fx\n",
		o.replicas, multi.rps(), one.rps(), multi.rps()/one.rps())
	return nil
}
