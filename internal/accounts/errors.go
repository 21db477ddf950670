package accounts

import (
	"errors"
	"fmt"
	"time"
)

// Errors the service returns. The web layer turns each into a message and a status in one place.
var (
	// ErrInvalidCredentials: the email or the password is wrong. It never says which, and an
	// unknown email takes as long as a wrong password.
	ErrInvalidCredentials = errors.New("accounts: email or password is wrong")
	// ErrThrottled is wrapped by *ThrottledError.
	ErrThrottled = errors.New("accounts: too many failed sign-ins")
	// ErrAccountDisabled: the password was right but an operator disabled the account.
	ErrAccountDisabled = errors.New("accounts: account disabled")
	// ErrUnauthenticated: the session or API token is unknown, expired, revoked, or its user is
	// disabled.
	ErrUnauthenticated = errors.New("accounts: not signed in")
	// ErrSignUpClosed: this instance takes no sign-ups.
	ErrSignUpClosed = errors.New("accounts: sign-up is closed")
	// ErrInvitationRequired: sign-up is by invitation and none was given.
	ErrInvitationRequired = errors.New("accounts: sign-up needs an invitation")
	// ErrInvitationInvalid: the invitation is unknown, used, expired or for another address.
	ErrInvitationInvalid = errors.New("accounts: invitation is not valid")
	// ErrEmailTaken: an account with this email exists.
	ErrEmailTaken = errors.New("accounts: an account with this email exists")
	// ErrInvalidEmail: the email is not an address.
	ErrInvalidEmail = errors.New("accounts: not an email address")
	// ErrWeakPassword is wrapped by *PasswordError.
	ErrWeakPassword = errors.New("accounts: password not accepted")
	// ErrForbidden: the user's role does not allow this.
	ErrForbidden = errors.New("accounts: not allowed")
	// ErrTokenNameTaken: the user has an active API token of this name.
	ErrTokenNameTaken = errors.New("accounts: an API token with this name exists")
)

// ThrottledError says that sign-ins for this account or from this address are locked out, and
// until when. It reveals nothing about whether the account exists: unknown emails are throttled
// the same way.
type ThrottledError struct {
	Until time.Time
}

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("accounts: too many failed sign-ins; try again at %s", e.Until.UTC().Format(time.RFC3339))
}

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottledError) Is(target error) bool { return target == ErrThrottled }

// PasswordError says why a new password is refused.
type PasswordError struct {
	Reason string // e.g. "at least 8 characters"
}

func (e *PasswordError) Error() string { return "accounts: password must be " + e.Reason }

// Is makes errors.Is(err, ErrWeakPassword) true.
func (e *PasswordError) Is(target error) bool { return target == ErrWeakPassword }
