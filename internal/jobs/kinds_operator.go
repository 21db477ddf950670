package jobs

import (
	"context"
	"time"
)

// AssessmentWarningsArgs checks the month's DS assessment and emails the operators when it is
// projected to fail or the month before failed, once per month and condition.
type AssessmentWarningsArgs struct{}

// Kind implements Args.
func (AssessmentWarningsArgs) Kind() string { return "aliscout_assessment_warnings" }

// InsertOpts makes it unique: one check at a time is enough.
func (AssessmentWarningsArgs) InsertOpts() InsertOpts {
	return InsertOpts{Unique: true, MaxAttempts: 3}
}

// QuotaCopyArgs copies the shared quota's counts from Redis to the store, where the console
// and the assessment read them. Copying twice is harmless.
type QuotaCopyArgs struct{}

// Kind implements Args.
func (QuotaCopyArgs) Kind() string { return "aliscout_quota_copy" }

// InsertOpts makes it unique.
func (QuotaCopyArgs) InsertOpts() InsertOpts { return InsertOpts{Unique: true, MaxAttempts: 3} }

// Operator is the work of the operator's jobs; *operator.Service does the warnings.
type Operator interface {
	SendWarnings(ctx context.Context) error
}

// QuotaCopier copies the quota's counts to the store.
type QuotaCopier interface {
	CopyQuota(ctx context.Context) error
}

// HandleOperator makes o the handler of the assessment warnings and, when c is not nil, c the
// copier of the quota's counts.
func HandleOperator(w *Workers, o Operator, c QuotaCopier) {
	Handle(w, func(ctx context.Context, work Work[AssessmentWarningsArgs]) error { return o.SendWarnings(ctx) })
	if c != nil {
		Handle(w, func(ctx context.Context, work Work[QuotaCopyArgs]) error { return c.CopyQuota(ctx) })
	}
}

// OperatorPeriodic returns the operator's periodic jobs: the assessment check every hour, and
// with copyQuota the quota's copy to the store every minute.
func OperatorPeriodic(copyQuota bool) []Periodic {
	p := []Periodic{{Every: time.Hour, Args: AssessmentWarningsArgs{}, RunOnStart: true}}
	if copyQuota {
		p = append(p, Periodic{Every: time.Minute, Args: QuotaCopyArgs{}, RunOnStart: true})
	}
	return p
}
