// Command ledger-verify checks Vigil's custody ledger with an implementation Vigil did not write:
// golang.org/x/mod/sumdb/note for signed notes and golang.org/x/mod/sumdb/tlog for RFC 6962
// proofs. It reads one JSON request on stdin and writes one JSON answer on stdout.
//
//	mode "verify":   open a checkpoint, check inclusion and consistency proofs, recompute the root
//	mode "generate": sign a checkpoint and make proofs with Go, for Vigil to verify
//	mode "bench":    time the operations Vigil's benchmark times, on the same data
package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

type inclusionCheck struct {
	Index    int64       `json:"index"`
	LeafHash tlog.Hash   `json:"leafHash"`
	Proof    []tlog.Hash `json:"proof"`
}

type consistencyCheck struct {
	OldSize int64       `json:"oldSize"`
	OldRoot tlog.Hash   `json:"oldRoot"`
	Proof   []tlog.Hash `json:"proof"`
}

type request struct {
	Mode        string             `json:"mode"`
	VerifierKey string             `json:"verifierKey"`
	Checkpoint  string             `json:"checkpoint"`
	Origin      string             `json:"origin"`
	Leaves      [][]byte           `json:"leaves"`
	Inclusion   []inclusionCheck   `json:"inclusion"`
	Consistency []consistencyCheck `json:"consistency"`
	// generate
	Name    string  `json:"name"`
	OldSize int64   `json:"oldSize"`
	Indexes []int64 `json:"indexes"`
	// bench
	Count   int64 `json:"count"`
	Batch   int64 `json:"batch"`
	Samples int   `json:"samples"`
}

// A hash serializes as base64 in JSON (tlog.Hash's own MarshalJSON), as Vigil's proofs do.

func main() {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		fail(err)
	}
	var out interface{}
	var err error
	switch req.Mode {
	case "verify":
		out, err = verify(req)
	case "generate":
		out, err = generate(req)
	case "bench":
		out, err = bench(req)
	default:
		err = fmt.Errorf("unknown mode %q", req.Mode)
	}
	if err != nil {
		fail(err)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "ledger-verify:", err)
	os.Exit(2)
}

// parseCheckpoint reads a C2SP tlog-checkpoint body. tlog.ParseTree reads the same three lines
// but insists the first is "go.sum database tree"; a C2SP checkpoint has the log's origin there.
func parseCheckpoint(text, origin string) (tlog.Tree, error) {
	lines := strings.Split(text, "\n")
	if len(lines) < 4 || lines[len(lines)-1] != "" {
		return tlog.Tree{}, errors.New("malformed checkpoint")
	}
	if lines[0] != origin {
		return tlog.Tree{}, fmt.Errorf("checkpoint origin %q, expected %q", lines[0], origin)
	}
	// Reuse tlog's own parser for size and root by swapping in the line it expects.
	return tlog.ParseTree([]byte("go.sum database tree\n" + strings.Join(lines[1:], "\n")))
}

func formatCheckpoint(origin string, tree tlog.Tree) string {
	return fmt.Sprintf("%s\n%d\n%s\n", origin, tree.N, tree.Hash)
}

type hashSlice []tlog.Hash

func (s *hashSlice) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(*s)) {
			return nil, fmt.Errorf("no stored hash %d", x)
		}
		out[i] = (*s)[x]
	}
	return out, nil
}

// appendLeaf stores leaf n, which must be the next one.
func (s *hashSlice) appendLeaf(n int64, data []byte) error {
	hashes, err := tlog.StoredHashes(n, data, s)
	if err != nil {
		return err
	}
	*s = append(*s, hashes...)
	return nil
}

type verifyAnswer struct {
	NoteError   string   `json:"noteError"`
	Size        int64    `json:"size"`
	Root        string   `json:"root"`
	LeavesRoot  string   `json:"leavesRoot,omitempty"`
	Inclusion   []string `json:"inclusion"`
	Consistency []string `json:"consistency"`
}

func errText(err error) string {
	if err == nil {
		return "ok"
	}
	return err.Error()
}

func verify(req request) (interface{}, error) {
	ans := verifyAnswer{Inclusion: []string{}, Consistency: []string{}}
	verifier, err := note.NewVerifier(req.VerifierKey)
	if err != nil {
		return nil, fmt.Errorf("verifier key: %v", err)
	}
	n, err := note.Open([]byte(req.Checkpoint), note.VerifierList(verifier))
	if err != nil {
		ans.NoteError = err.Error()
		return ans, nil
	}
	tree, err := parseCheckpoint(n.Text, req.Origin)
	if err != nil {
		ans.NoteError = err.Error()
		return ans, nil
	}
	ans.Size, ans.Root = tree.N, tree.Hash.String()
	for _, c := range req.Inclusion {
		ans.Inclusion = append(ans.Inclusion, errText(tlog.CheckRecord(c.Proof, tree.N, tree.Hash, c.Index, c.LeafHash)))
	}
	for _, c := range req.Consistency {
		ans.Consistency = append(ans.Consistency, errText(tlog.CheckTree(c.Proof, tree.N, tree.Hash, c.OldSize, c.OldRoot)))
	}
	if req.Leaves != nil {
		var stored hashSlice
		for i, leaf := range req.Leaves {
			if err := stored.appendLeaf(int64(i), leaf); err != nil {
				return nil, err
			}
		}
		root, err := tlog.TreeHash(int64(len(req.Leaves)), &stored)
		if err != nil {
			return nil, err
		}
		ans.LeavesRoot = root.String()
	}
	return ans, nil
}

type generateAnswer struct {
	VerifierKey string             `json:"verifierKey"`
	Checkpoint  string             `json:"checkpoint"`
	LeafHashes  []tlog.Hash        `json:"leafHashes"`
	Inclusion   []inclusionCheck   `json:"inclusion"`
	Consistency []consistencyCheck `json:"consistency"`
}

func generate(req request) (interface{}, error) {
	skey, vkey, err := note.GenerateKey(rand.Reader, req.Name)
	if err != nil {
		return nil, err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, err
	}
	var stored hashSlice
	ans := generateAnswer{VerifierKey: vkey}
	for i, leaf := range req.Leaves {
		ans.LeafHashes = append(ans.LeafHashes, tlog.RecordHash(leaf))
		if err := stored.appendLeaf(int64(i), leaf); err != nil {
			return nil, err
		}
	}
	size := int64(len(req.Leaves))
	root, err := tlog.TreeHash(size, &stored)
	if err != nil {
		return nil, err
	}
	msg, err := note.Sign(&note.Note{Text: formatCheckpoint(req.Name, tlog.Tree{N: size, Hash: root})}, signer)
	if err != nil {
		return nil, err
	}
	ans.Checkpoint = string(msg)
	for _, i := range req.Indexes {
		p, err := tlog.ProveRecord(size, i, &stored)
		if err != nil {
			return nil, err
		}
		ans.Inclusion = append(ans.Inclusion, inclusionCheck{Index: i, LeafHash: tlog.RecordHash(req.Leaves[i]), Proof: p})
	}
	if req.OldSize > 0 {
		oldRoot, err := tlog.TreeHash(req.OldSize, &stored)
		if err != nil {
			return nil, err
		}
		p, err := tlog.ProveTree(size, req.OldSize, &stored)
		if err != nil {
			return nil, err
		}
		ans.Consistency = append(ans.Consistency, consistencyCheck{OldSize: req.OldSize, OldRoot: oldRoot, Proof: p})
	}
	return ans, nil
}

// benchLeaf must match benchLeaf in bench/ledger.ts byte for byte: both sides hash the same log.
func benchLeaf(i int64) []byte {
	return []byte(`{"actor":"pseud:bench","details":{},"kind":"viewed","nonce":"AAECAwQFBgcICQoLDA0ODw==","subject":"evidence:` +
		strconv.FormatInt(i, 10) + `","time":"2025-01-31T12:00:00.000Z"}`)
}

func randInt(n int64) int64 {
	v, err := rand.Int(rand.Reader, big.NewInt(n))
	if err != nil {
		panic(err)
	}
	return v.Int64()
}

func percentile(sorted []time.Duration, p float64) float64 {
	i := int(float64(len(sorted)-1) * p)
	return float64(sorted[i].Nanoseconds()) / 1e6
}

type benchAnswer struct {
	Root             string  `json:"root"`
	AppendPerSecond  float64 `json:"appendPerSecond"`
	InclusionP50Ms   float64 `json:"inclusionP50Ms"`
	InclusionP99Ms   float64 `json:"inclusionP99Ms"`
	ConsistencyP50Ms float64 `json:"consistencyP50Ms"`
	ConsistencyP99Ms float64 `json:"consistencyP99Ms"`
	FullVerifyMs     float64 `json:"fullVerifyMs"`
}

func bench(req request) (interface{}, error) {
	leaves := make([][]byte, req.Count)
	for i := range leaves {
		leaves[i] = benchLeaf(int64(i))
	}
	// Append: tlog has no batch call, so a batch is StoredHashes per leaf then one slice append,
	// as a store would write the batch in one transaction.
	var stored hashSlice
	start := time.Now()
	for lo := int64(0); lo < req.Count; lo += req.Batch {
		hi := lo + req.Batch
		if hi > req.Count {
			hi = req.Count
		}
		var batch []tlog.Hash
		for i := lo; i < hi; i++ {
			reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
				out := make([]tlog.Hash, len(idx))
				base := int64(len(stored))
				for k, x := range idx {
					if x < base {
						out[k] = stored[x]
					} else {
						out[k] = batch[x-base]
					}
				}
				return out, nil
			})
			hashes, err := tlog.StoredHashes(i, leaves[i], reader)
			if err != nil {
				return nil, err
			}
			batch = append(batch, hashes...)
		}
		stored = append(stored, batch...)
	}
	appendTime := time.Since(start)
	root, err := tlog.TreeHash(req.Count, &stored)
	if err != nil {
		return nil, err
	}

	inclusion := make([]time.Duration, req.Samples)
	for k := range inclusion {
		i := randInt(req.Count)
		t := time.Now()
		if _, err := tlog.ProveRecord(req.Count, i, &stored); err != nil {
			return nil, err
		}
		inclusion[k] = time.Since(t)
	}
	consistency := make([]time.Duration, req.Samples)
	for k := range consistency {
		m := 1 + randInt(req.Count-1)
		t := time.Now()
		if _, err := tlog.ProveTree(req.Count, m, &stored); err != nil {
			return nil, err
		}
		consistency[k] = time.Since(t)
	}
	sort.Slice(inclusion, func(a, b int) bool { return inclusion[a] < inclusion[b] })
	sort.Slice(consistency, func(a, b int) bool { return consistency[a] < consistency[b] })

	// Full verification, the same work as Vigil's verifyLog with stored hashes: recompute every
	// stored hash from the leaf data, compare it with the stored one, then the root.
	start = time.Now()
	var recomputed hashSlice
	for i, leaf := range leaves {
		hashes, err := tlog.StoredHashes(int64(i), leaf, &recomputed)
		if err != nil {
			return nil, err
		}
		base := len(recomputed)
		for k, h := range hashes {
			if !bytes.Equal(h[:], stored[base+k][:]) {
				return nil, fmt.Errorf("leaf %d differs", i)
			}
		}
		recomputed = append(recomputed, hashes...)
	}
	got, err := tlog.TreeHash(req.Count, &recomputed)
	if err != nil || got != root {
		return nil, errors.New("full verification failed")
	}
	verifyTime := time.Since(start)

	return benchAnswer{
		Root:             root.String(),
		AppendPerSecond:  float64(req.Count) / appendTime.Seconds(),
		InclusionP50Ms:   percentile(inclusion, 0.5),
		InclusionP99Ms:   percentile(inclusion, 0.99),
		ConsistencyP50Ms: percentile(consistency, 0.5),
		ConsistencyP99Ms: percentile(consistency, 0.99),
		FullVerifyMs:     float64(verifyTime.Nanoseconds()) / 1e6,
	}, nil
}
