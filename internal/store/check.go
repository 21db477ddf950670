package store

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Limits on what the store accepts. They are generous; they stop a runaway client filling the disk.
const (
	MaxEmailLen    = 254
	MaxListNameLen = 100 // characters
	MaxTextLen     = 4000
	MaxIDLen       = 64
)

// CheckUser returns an ErrInvalid error when u cannot be stored. Engines call it before writing.
func CheckUser(u User) error {
	switch {
	case EmailKey(u.Email) == "" || !strings.Contains(u.Email, "@") || len(u.Email) > MaxEmailLen:
		return invalid("email %q is not an address", u.Email)
	case u.PasswordHash == "":
		return invalid("empty password hash")
	case !u.Role.Valid():
		return invalid("role %q", u.Role)
	}
	return nil
}

// CheckListName returns an ErrInvalid error when name cannot name a list.
func CheckListName(name string) error {
	if strings.TrimSpace(name) == "" {
		return invalid("empty list name")
	}
	if utf8.RuneCountInString(name) > MaxListNameLen {
		return invalid("list name longer than %d characters", MaxListNameLen)
	}
	return nil
}

// CheckItem returns an ErrInvalid error when item cannot be saved in a list.
func CheckItem(item ListItem) error {
	switch {
	case item.ProductID == "" || len(item.ProductID) > MaxIDLen:
		return invalid("product id %q", item.ProductID)
	case len(item.SKUID) > MaxIDLen:
		return invalid("sku id %q", item.SKUID)
	case item.Price.Amount < 0:
		return invalid("negative price %d", item.Price.Amount)
	case item.Price.Currency != "" && !isCode(item.Price.Currency, 3):
		return invalid("currency %q", item.Price.Currency)
	case item.Country != "" && !isCode(item.Country, 2):
		return invalid("country %q", item.Country)
	}
	return CheckItemText(item.Title, item.ImageURL, item.PricingRule, item.Note)
}

// CheckItemChanges returns an ErrInvalid error when c cannot be applied to an item.
func CheckItemChanges(c ItemChanges) error {
	if c.Country != nil && *c.Country != "" && !isCode(*c.Country, 2) {
		return invalid("country %q", *c.Country)
	}
	var texts []string
	for _, p := range []*string{c.PricingRule, c.Note} {
		if p != nil {
			texts = append(texts, *p)
		}
	}
	return CheckItemText(texts...)
}

// CheckItemText returns an ErrInvalid error when a text is too long to keep.
func CheckItemText(texts ...string) error {
	for _, s := range texts {
		if len(s) > MaxTextLen {
			return invalid("text longer than %d bytes", MaxTextLen)
		}
	}
	return nil
}

// isCode reports whether s is n upper-case ASCII letters, like "USD" or "FR".
func isCode(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := range len(s) {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// CheckConnectedAccount returns an ErrInvalid error when a cannot be saved.
func CheckConnectedAccount(a ConnectedAccount) error {
	switch {
	case a.UserID <= 0:
		return invalid("no user")
	case a.AEUserID == "" || len(a.AEUserID) > MaxIDLen:
		return invalid("aliexpress user id %q", a.AEUserID)
	case a.SealedAccess == "" || a.SealedRefresh == "" || a.KeyID == "":
		return invalid("tokens not sealed")
	case !a.ReportState.Valid():
		return invalid("report state %q", a.ReportState)
	}
	return CheckItemText(a.Nick, a.Email, a.StoreURL, a.ReportMessage)
}

// CheckTokenUpdate returns an ErrInvalid error when u cannot be written.
func CheckTokenUpdate(u TokenUpdate) error {
	if u.SealedAccess == "" || u.SealedRefresh == "" || u.KeyID == "" {
		return invalid("tokens not sealed")
	}
	return nil
}

// CheckThreshold returns an ErrInvalid error when threshold is not a notice threshold.
func CheckThreshold(threshold string) error {
	switch threshold {
	case Notice7Days, Notice1Day, NoticeEnded:
		return nil
	}
	return invalid("notice threshold %q", threshold)
}

// CheckEmail returns an ErrInvalid error when e cannot be queued.
func CheckEmail(e Email) error {
	switch {
	case !strings.Contains(e.To, "@") || len(e.To) > MaxEmailLen || strings.ContainsAny(e.To, "\r\n"):
		return invalid("recipient %q", e.To)
	case strings.ContainsAny(e.Subject, "\r\n") || len(e.Subject) > MaxTextLen:
		return invalid("subject")
	case len(e.Body) > 64*MaxTextLen:
		return invalid("body longer than %d bytes", 64*MaxTextLen)
	}
	return nil
}
