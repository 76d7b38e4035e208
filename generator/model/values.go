package model

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// State values (a phase field's, a condition type's, a reason's) are read
// by their words, the way Kubernetes names them: CamelCase (NodesUpgrading),
// UPPER_SNAKE (STATUS_ERR), lower-case or free text ("Failing over"). Each
// reading below is one Go function, used where values are known when the
// config is generated (an enum), and one Prometheus regex, used where they
// are read at run time; both are built from the same word list and
// TestValueReadingsAgree holds them to the same answer.

// Words splits a value into its words, lower-cased: letters outside A-Z and
// a-z separate words, a lower-case letter followed by an upper-case one
// ends a word (nodesUpgrading), and so does an upper-case run followed by a
// word that starts upper-case (STATUSError: status, error).
func Words(v string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(v); i++ {
		letter := i < len(v) && isLetter(v[i])
		if start >= 0 && (!letter || (i > start && isUpper(v[i]) && (isLower(v[i-1]) || i+1 < len(v) && isLower(v[i+1])))) {
			out = append(out, strings.ToLower(v[start:i]))
			start = -1
		}
		if letter && start < 0 {
			start = i
		}
	}
	return out
}

func isUpper(c byte) bool  { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool  { return c >= 'a' && c <= 'z' }
func isLetter(c byte) bool { return isUpper(c) || isLower(c) }

// hasWord reports whether one of v's Words is in list.
func hasWord(v string, list []string) bool {
	return slices.ContainsFunc(Words(v), func(w string) bool { return slices.Contains(list, w) })
}

// wordsPattern is a Prometheus regex matching the values that hold one of
// words (lower-case) as a word, written lower-case, Capitalized or UPPER
// (Words' reading of the three).
func wordsPattern(words []string) string {
	return wordForms("(?:"+Alternation(words)+")", "(?:"+Alternation(capitalized(words))+")", "(?:"+Alternation(upperCased(words))+")", true)
}

// capitalized returns lower-case words with their first letter upper-case.
func capitalized(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return out
}

// upperCased returns words in upper case.
func upperCased(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = strings.ToUpper(w)
	}
	return out
}

// wordForms joins the regexes of one word written lower-case, Capitalized
// and UPPER into one that matches a value holding it as a word: anywhere
// when inside is true, else as its last word.
func wordForms(lower, capital, upper string, inside bool) string {
	after := []string{"(?:[^a-z].*)?", "(?:[^a-z].*)?", "(?:[^A-Za-z].*|[A-Z][a-z].*)?"}
	if !inside {
		after = []string{"", "", ""}
	}
	return "(?s:(?:.*[^A-Za-z])?" + lower + after[0] + "|.*" + capital + after[1] + "|(?:.*[^A-Z])?" + upper + after[2] + ")"
}

// SuspendedWords name a pause, as a word of a condition type that is True
// (Paused, Suspended, Stopped, cnpg.io/hibernation), of a state value
// (SUSPENDED, StepPaused) or of a reason (ReconcilePaused). Words, not
// substrings: Unpaused and NoPause name no pause.
var SuspendedWords = []string{
	"hibernate", "hibernated", "hibernating", "hibernation", "paused", "stopped", "suspend", "suspended",
}

// SuspendedPattern is the Prometheus regex of IsSuspendedValue.
var SuspendedPattern = wordsPattern(SuspendedWords)

// IsSuspendedValue reports whether a condition type or state value names a
// pause: one of its Words is in SuspendedWords.
func IsSuspendedValue(v string) bool { return hasWord(v, SuspendedWords) }

// FailurePhases are phase values (compared case-insensitively) that mean
// failure, whole or as the start of a longer value ("Error, secret not
// found").
var FailurePhases = []string{
	"failed", "failure", "failing", "error", "errored", "invalid", "rejected", "configerror",
	"degraded", "unhealthy", "crashloopbackoff", "createfailed", "updatefailed",
	"deletefailed", "syncfailed", "upgradefailed", "expired", "partiallyfailed",
	"failedvalidation", "unavailable", "notready", "noncompliant", "red",
}

// FailureWords mean failure wherever they stand in a value as a word
// (WaitingAfterFailedStep, STATUS_ERR, FailedNotVisible). A warning is a
// failure: Argo CD's expert checks read a Warning state (Gloo's) and
// HEALTH_WARN (Ceph's) as Degraded, since the controller reports a problem
// that needs a human, so STATUS_WARN is recorded Degraded and fires the
// failed-phase alert, not a softer one.
var FailureWords = []string{
	"degraded", "err", "error", "errored", "errors", "expired", "fail", "failed", "failing", "fails",
	"failure", "failures", "invalid", "noncompliant", "rejected", "unavailable", "unhealthy", "warn", "warning",
}

// GaveUpWords, in a condition's reason, say the controller gave up on
// work: a deadline passed (the Deployment's ProgressDeadlineExceeded), an
// attempt timed out or was aborted.
var GaveUpWords = []string{"aborted", "deadline", "timed", "timeout"}

// FailureReasonPattern is the Prometheus regex of IsFailureReason.
var FailureReasonPattern = "(?s:" + FailurePhasePattern + "|" + wordsPattern(GaveUpWords) + ")"

// NegatedFailurePattern matches reasons that deny a failure or a pause
// (NoErrors, NotPaused, WithoutFailures): a negation fused to the word.
var NegatedFailurePattern = "(?i:.*(?:no|not|non|un|without|zero)_?(?:" +
	Alternation(slices.Concat(FailureWords, SuspendedWords)) + ").*)"

var negatedFailureRE = regexp.MustCompile("^(?:" + NegatedFailurePattern + ")$")

// IsFailureReason reports whether a condition's reason names a failure: a
// failure value (IsFailurePhase) or one of GaveUpWords, and no negation of
// one (NegatedFailurePattern).
func IsFailureReason(reason string) bool {
	return (IsFailurePhase(reason) || hasWord(reason, GaveUpWords)) && !negatedFailureRE.MatchString(reason)
}

// IsPauseReason reports whether a condition's reason names a pause
// (ReconcilePaused), not its negation (NotPaused, Unpaused).
func IsPauseReason(reason string) bool {
	return IsSuspendedValue(reason) && !negatedFailureRE.MatchString(reason)
}

// HealthyPhases are phase values (compared case-insensitively) that mean the
// object is fine; their negations (NonCompliant, Unhealthy, NotReady,
// Unavailable) mean failure.
var HealthyPhases = []string{
	"available", "compliant", "green", "healthy", "ready", "running", "succeeded", "valid",
}

// negations make a failure of a healthy phase (NotReady, NonCompliant).
var negations = []string{"non", "not", "un", "in"}

// FailurePhasePattern is the Prometheus regex of IsFailurePhase.
var FailurePhasePattern = "(?s:" + atStart(FailurePhases) +
	"|(?i:(?:" + Alternation(negations) + ")(?:" + Alternation(HealthyPhases) + "))" +
	"|(?i:.*(?:failed|error))|" + wordsPattern(FailureWords) + ")"

// IsFailurePhase reports whether a state value means failure: it is or
// starts with one of FailurePhases, is the negation of one of
// HealthyPhases (NonCompliant, Unhealthy, NotReady) or ends in "failed" or
// "error", all in any case (Velero's FinalizingPartiallyFailed); or one of
// its Words is in FailureWords.
func IsFailurePhase(value string) bool {
	lower := strings.ToLower(value)
	if startsWithOne(value, FailurePhases) || strings.HasSuffix(lower, "failed") || strings.HasSuffix(lower, "error") {
		return true
	}
	for _, neg := range negations {
		if rest, ok := strings.CutPrefix(lower, neg); ok && slices.Contains(HealthyPhases, rest) {
			return true
		}
	}
	return hasWord(value, FailureWords)
}

// ProgressPhases are phase values (compared case-insensitively) that mean
// work is ongoing, whole or as the start of a longer value. Yellow is the
// middle of the traffic-light health scale (green is in HealthyPhases, red
// in FailurePhases): Argo CD's checks read it as Progressing (Elastic:
// replicas still being allocated).
var ProgressPhases = []string{
	"pending", "progressing", "provisioning", "creating", "updating", "deleting",
	"scalingup", "scalingdown", "scaling", "inprogress", "initializing", "processing",
	"waiting", "new", "deploying", "reconciling", "yellow",
}

// ProgressWords mean work under way wherever they stand in a value as a
// word (NotReadyInProgress), besides the activities (IsActivity).
var ProgressWords = []string{"progress"}

// NonActivities end in -ing but name no activity under way: a state that
// holds (Warning, Missing, Existing, CanaryChecksPassing, Succeeding,
// Working). Pending is not one: it keeps its own meaning (ProgressPhases).
// Every word here lengthens ProgressPhasePattern: list the words state
// values hold, not the dictionary.
var NonActivities = []string{"existing", "missing", "passing", "succeeding", "warning", "working"}

// activityStem is the shortest stem before -ing that can name an activity:
// "Ring", "Doing" and "Thing" are no state.
const activityStem = 3

// IsActivity reports whether a lower-case word names an activity under
// way: it ends in -ing after a stem of at least three letters and is none
// of except (NonActivities and the words that say more: Failing, Running).
func IsActivity(word string, except []string) bool {
	stem, ok := strings.CutSuffix(word, "ing")
	return ok && len(stem) >= activityStem && !slices.Contains(except, word)
}

// valueNonActivities are the -ing words that name no activity in a state
// value: NonActivities, the failure words (Failing) and the healthy phases
// (Running as a steady state).
var valueNonActivities = ingWords(NonActivities, FailureWords, HealthyPhases)

// typeNonActivities are those of a condition type: NonActivities and the
// failure words. Running=True is work under way (an Ansible operator's
// reconcile), unlike a phase Running.
var typeNonActivities = ingWords(NonActivities, FailureWords)

// ingWords returns the words of lists that end in -ing, sorted, each once.
func ingWords(lists ...[]string) []string {
	var out []string
	for _, w := range slices.Concat(lists...) {
		if strings.HasSuffix(w, "ing") {
			out = append(out, w)
		}
	}
	return sortedUnion(out, nil)
}

// ProgressPhasePattern is the Prometheus regex of IsProgressPhase.
var ProgressPhasePattern = "(?s:" + atStart(ProgressPhases) + "|" + wordsPattern(ProgressWords) + "|" + activityPattern(valueNonActivities, true) + ")"

// IsProgressPhase reports whether a state value means work under way: it
// is or starts with one of ProgressPhases (in any case), or one of its
// Words is in ProgressWords or names an activity (NodesUpgrading,
// PoolRestarting, PENDING_RERUN) — Running, Warning and Missing do not.
// Failure and pause readings come first where a value has both.
func IsProgressPhase(value string) bool {
	if startsWithOne(value, ProgressPhases) || hasWord(value, ProgressWords) {
		return true
	}
	return slices.ContainsFunc(Words(value), func(w string) bool { return IsActivity(w, valueNonActivities) })
}

// ActivityTypePattern and NotActivityTypePattern are the Prometheus
// regexes of IsActivityType: a condition type is an activity when it
// matches the first and not the second (two label matchers keep them
// short).
var (
	ActivityTypePattern    = activityPattern(nil, false)
	NotActivityTypePattern = wordForms("(?:"+Alternation(typeNonActivities)+")", "(?:"+Alternation(capitalized(typeNonActivities))+")", "(?:"+Alternation(upperCased(typeNonActivities))+")", false)
)

// IsActivityType reports whether a condition type names an activity, under
// way while it is True: its last word does (Issuing,
// EKSControlPlaneUpdating, Running), not InstallPlanMissing nor
// CanaryChecksSucceeding.
func IsActivityType(conditionType string) bool {
	w := Words(conditionType)
	end := len(conditionType) > 0 && isLetter(conditionType[len(conditionType)-1])
	return end && len(w) > 0 && IsActivity(w[len(w)-1], typeNonActivities)
}

// activityPattern is a Prometheus regex matching values that hold a word
// IsActivity(word, except) accepts: anywhere when inside is true, else as
// the last word.
func activityPattern(except []string, inside bool) string {
	var lower, capital, upper []string
	for _, w := range except {
		stem := strings.TrimSuffix(w, "ing")
		lower = append(lower, stem)
		capital = append(capital, strings.ToUpper(stem[:1])+stem[1:])
		upper = append(upper, strings.ToUpper(stem))
	}
	return wordForms(
		notOneOf("a-z", "a-z", lower, activityStem)+"ing",
		notOneOf("A-Z", "a-z", capital, activityStem)+"ing",
		notOneOf("A-Z", "A-Z", upper, activityStem)+"ING", inside)
}

// notOneOf is a regex matching the strings of at least min letters, the
// first in the range first and the others in rest, that are none of
// except: a walk down the trie of except, leaving it as soon as a letter
// is not on it.
func notOneOf(first, rest string, except []string, min int) string {
	var walk func(prefix string) string
	walk = func(prefix string) string {
		class := rest
		if prefix == "" {
			class = first
		}
		var alts []string
		if len(prefix) >= min && !slices.Contains(except, prefix) {
			alts = append(alts, "")
		}
		var next []byte
		for _, e := range except {
			if len(e) > len(prefix) && strings.HasPrefix(e, prefix) && !slices.Contains(next, e[len(prefix)]) {
				next = append(next, e[len(prefix)])
			}
		}
		slices.Sort(next)
		for _, c := range next {
			alts = append(alts, string(c)+walk(prefix+string(c)))
		}
		switch others := without(class, next); others {
		case "":
		case "[" + rest + "]":
			alts = append(alts, repeat(others, max(1, min-len(prefix))))
		default:
			alts = append(alts, others+repeat("["+rest+"]", min-len(prefix)-1))
		}
		return "(?:" + strings.Join(alts, "|") + ")"
	}
	return walk("")
}

// without returns the character class of the letters of the range r (such
// as "a-z") but those of skip, in ranges, or "" when none is left.
func without(r string, skip []byte) string {
	var b strings.Builder
	for c := r[0]; c <= r[2]; c++ {
		if slices.Contains(skip, c) {
			continue
		}
		end := c
		for end < r[2] && !slices.Contains(skip, end+1) {
			end++
		}
		b.WriteByte(c)
		if end > c+1 {
			b.WriteByte('-')
		}
		if end > c {
			b.WriteByte(end)
		}
		c = end
	}
	if b.Len() == 0 {
		return ""
	}
	return "[" + b.String() + "]"
}

// repeat is a regex matching at least n (≥ 0 when n is negative) repeats
// of class.
func repeat(class string, n int) string {
	switch {
	case n <= 0:
		return class + "*"
	case n == 1:
		return class + "+"
	}
	return class + fmt.Sprintf("{%d,}", n)
}

// atStart is a regex matching, in any case, values that are one of words or
// start with one followed by a character that is not a letter. The
// character after the word is matched case-sensitively, (?-i:[^a-zA-Z]):
// under (?i), [^a-z] would be a class folded over all of Unicode, which
// takes Prometheus about a millisecond to compile each time it parses the
// rule.
func atStart(words []string) string {
	return "(?i:(?:" + Alternation(words) + ")(?-i:[^a-zA-Z].*)?)"
}

// startsWithOne reports whether v is one of words or starts with one
// followed by a character that is not a letter, in any case (atStart).
func startsWithOne(v string, words []string) bool {
	for _, w := range words {
		if len(v) >= len(w) && strings.EqualFold(v[:len(w)], w) && (len(v) == len(w) || !isLetter(v[len(w)])) {
			return true
		}
	}
	return false
}
