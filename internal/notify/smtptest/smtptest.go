// Package smtptest is a mail server for tests: it listens on a loopback port and speaks enough
// SMTP for net/smtp's client (EHLO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeping
// every message it accepts. It can be told to refuse service, as a mail server that is down.
package smtptest

import (
	"bufio"
	"encoding/base64"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
)

// Message is one accepted message.
type Message struct {
	From    string
	To      []string
	Data    string // as sent, headers and body
	Subject string // decoded
	Auth    string // the user name given with AUTH PLAIN, if any
}

// Server is a test SMTP server.
type Server struct {
	Addr string // host:port

	ln       net.Listener
	mu       sync.Mutex
	messages []Message
	refuse   bool
	wg       sync.WaitGroup
}

// New starts a server on 127.0.0.1 and closes it when t ends.
func New(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln}
	s.wg.Go(s.serve)
	t.Cleanup(s.Close)
	return s
}

// Close stops the server and waits for its sessions to end.
func (s *Server) Close() {
	s.ln.Close()
	s.wg.Wait()
}

// Host and Port split Addr.
func (s *Server) Host() string { h, _, _ := net.SplitHostPort(s.Addr); return h }

// Port returns the port the server listens on.
func (s *Server) Port() string { _, p, _ := net.SplitHostPort(s.Addr); return p }

// Refuse makes the server answer every new session 421 (service not available), or serve again.
func (s *Server) Refuse(refuse bool) {
	s.mu.Lock()
	s.refuse = refuse
	s.mu.Unlock()
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

func (s *Server) serve() {
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Go(func() { s.session(conn) })
	}
}

func (s *Server) session(conn net.Conn) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	w := bufio.NewWriter(conn)
	reply := func(lines ...string) bool {
		for _, l := range lines {
			w.WriteString(l + "\r\n")
		}
		return w.Flush() == nil
	}
	s.mu.Lock()
	refuse := s.refuse
	s.mu.Unlock()
	if refuse {
		reply("421 smtptest service not available")
		return
	}
	if !reply("220 smtptest ESMTP") {
		return
	}
	var msg Message
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			reply("250-smtptest", "250-8BITMIME", "250 AUTH PLAIN")
		case "HELO":
			reply("250 smtptest")
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			if !strings.EqualFold(mech, "PLAIN") {
				reply("504 unrecognised authentication type")
				continue
			}
			raw, err := base64.StdEncoding.DecodeString(resp)
			parts := strings.Split(string(raw), "\x00")
			if err != nil || len(parts) != 3 {
				reply("501 malformed AUTH")
				continue
			}
			msg.Auth = parts[1]
			reply("235 authenticated")
		case "MAIL":
			msg.From = address(arg)
			msg.To = nil
			reply("250 ok")
		case "RCPT":
			msg.To = append(msg.To, address(arg))
			reply("250 ok")
		case "DATA":
			if !reply("354 go ahead") {
				return
			}
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				data.WriteString(strings.TrimPrefix(l, "."))
			}
			msg.Data = data.String()
			if m, err := mail.ReadMessage(strings.NewReader(msg.Data)); err == nil {
				msg.Subject, _ = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			}
			s.mu.Lock()
			s.messages = append(s.messages, msg)
			s.mu.Unlock()
			msg = Message{Auth: msg.Auth}
			reply("250 queued")
		case "RSET":
			msg = Message{Auth: msg.Auth}
			reply("250 ok")
		case "NOOP":
			reply("250 ok")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 command not implemented")
		}
	}
}

// address takes the address out of "FROM:<a@b> SIZE=…" or "TO:<a@b>".
func address(arg string) string {
	if i := strings.Index(arg, "<"); i >= 0 {
		if j := strings.Index(arg[i:], ">"); j >= 0 {
			return arg[i+1 : i+j]
		}
	}
	_, a, _ := strings.Cut(arg, ":")
	return strings.TrimSpace(a)
}
