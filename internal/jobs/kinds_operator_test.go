package jobs

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

type fakeOperator struct{ warned, copied atomic.Int32 }

func (f *fakeOperator) SendWarnings(context.Context) error { f.warned.Add(1); return nil }
func (f *fakeOperator) CopyQuota(context.Context) error {
	f.copied.Add(1)
	return errors.New("redis down")
}

// TestOperatorJobs: the assessment check and the quota's copy run as jobs; a failing copy is
// retried and its error kept for the console.
func TestOperatorJobs(t *testing.T) {
	w := NewWorkers()
	f := &fakeOperator{}
	HandleOperator(w, f, f)
	cfg := testConfig(sqliteDriver(t, filepath.Join(t.TempDir(), "aliscout.db")), w)
	q := newQueue(t, cfg)
	start(t, q)
	warn, err := q.Insert(t.Context(), AssessmentWarningsArgs{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitState(t, q, warn.ID, StateCompleted, 10*time.Second)
	if f.warned.Load() != 1 {
		t.Errorf("SendWarnings ran %d times; want 1", f.warned.Load())
	}
	cp, err := q.Insert(t.Context(), QuotaCopyArgs{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	j := waitState(t, q, cp.ID, StateDiscarded, 10*time.Second)
	if j.Attempt != 3 || len(j.Errors) != 3 || j.Errors[0] != "redis down" {
		t.Errorf("the failing copy = %d attempts, errors %q; want 3, each \"redis down\"", j.Attempt, j.Errors)
	}
	if got := OperatorPeriodic(false); len(got) != 1 || got[0].Args.Kind() != "aliscout_assessment_warnings" {
		t.Errorf("OperatorPeriodic(false) = %+v; want the hourly assessment check alone", got)
	}
	if got := OperatorPeriodic(true); len(got) != 2 || got[1].Every != time.Minute {
		t.Errorf("OperatorPeriodic(true) = %+v; want the quota's copy every minute too", got)
	}
}
