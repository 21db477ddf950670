package jobs

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeTracking counts cycles and how many run at once.
type fakeTracking struct {
	cycles, running, most atomic.Int32
	release               chan struct{}
	delivered             atomic.Int32
}

func (f *fakeTracking) Cycle(ctx context.Context) error {
	f.cycles.Add(1)
	n := f.running.Add(1)
	for {
		m := f.most.Load()
		if n <= m || f.most.CompareAndSwap(m, n) {
			break
		}
	}
	<-f.release
	f.running.Add(-1)
	return nil
}

func (f *fakeTracking) DeliverWebhook(ctx context.Context, alertID int64) error {
	f.delivered.Add(1)
	if alertID == 404 {
		return ErrNothingToDo
	}
	return nil
}

// TestTrackCycleOnceAcrossReplicas: two replicas that both queue the cycle (as each would on its
// schedule) run it once; a webhook with nothing to deliver is cancelled, not retried.
func TestTrackCycleOnceAcrossReplicas(t *testing.T) {
	eachDatabase(t, func(t *testing.T, open func(t *testing.T) Driver) {
		f := &fakeTracking{release: make(chan struct{})}
		replicas := make([]*Queue, 2)
		for i := range replicas {
			w := NewWorkers()
			HandleTracking(w, f)
			replicas[i] = newQueue(t, testConfig(open(t), w))
		}
		var wg sync.WaitGroup
		for _, q := range replicas {
			wg.Go(func() {
				if err := q.EnqueueTrackCycle(t.Context()); err != nil {
					t.Errorf("EnqueueTrackCycle: %v", err)
				}
			})
		}
		wg.Wait()
		for _, q := range replicas {
			start(t, q)
		}
		deadline := time.Now().Add(10 * time.Second)
		for f.cycles.Load() == 0 && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		// While it runs, the other replica's next insert joins it.
		if err := replicas[1].EnqueueTrackCycle(t.Context()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		close(f.release)
		time.Sleep(300 * time.Millisecond)
		if n, most := f.cycles.Load(), f.most.Load(); n != 1 || most != 1 {
			t.Errorf("cycles = %d, at most %d at once; want 1 cycle", n, most)
		}

		ins, err := replicas[0].Insert(t.Context(), DeliverWebhookArgs{AlertID: 404}, nil)
		if err != nil {
			t.Fatal(err)
		}
		j := waitState(t, replicas[0], ins.ID, StateCancelled, 10*time.Second)
		if j.Attempt != 1 || f.delivered.Load() != 1 {
			t.Errorf("webhook job with nothing to do = %+v after %d deliveries; want cancelled after one", j, f.delivered.Load())
		}
	})
}
