package dev.imagefactory.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefactory.model.BuildLabels;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Builds as resources, without HTTP: joining, the event story, resuming after an event, ending, retention. */
class BuildBoardTest {

    private static final BuildLabels LABELS = new BuildLabels("iso", "v1.11.0", "amd64");
    private static final BuildSubject SUBJECT = new BuildSubject("a".repeat(64), "v1.11.0", "metal-amd64.iso");

    private final MutableClock clock = new MutableClock();
    private final BuildBoard board = new BuildBoard(Duration.ofMinutes(10), clock, key -> Optional.empty());

    /** Collects what a follower is handed. */
    private static final class Follower implements TrackedBuild.Listener {
        final List<BuildEvent> seen = new ArrayList<>();
        boolean ended;
        boolean gone;

        @Override
        public boolean deliver(BuildEvent event) {
            if (gone) {
                return false;
            }
            seen.add(event);
            return true;
        }

        @Override
        public void end() {
            ended = true;
        }

        List<Long> ids() {
            return seen.stream().map(BuildEvent::id).toList();
        }
    }

    @Test
    void identicalRequestsJoinTheBuildWhileItRunsAndANewOneOpensAfterItEnded() {
        BuildBoard.Opened first = board.openGroup("k", "iso", LABELS, SUBJECT);
        BuildBoard.Opened second = board.openGroup("k", "iso", LABELS, SUBJECT);
        assertTrue(first.opened());
        assertFalse(second.opened());
        assertSame(first.build(), second.build());

        board.finish(first.build(), Optional.empty());
        BuildBoard.Opened third = board.openGroup("k", "iso", LABELS, SUBJECT);
        assertTrue(third.opened());
        assertNotEquals(first.build().id(), third.build().id());
        assertEquals(List.of(third.build(), first.build()), board.list(Optional.empty(), 10), "newest first");
    }

    @Test
    void theStoryIsNumberedAndAFollowerThatResumesAfterAnEventMissesNoneAndSeesNoneTwice() {
        TrackedBuild build = board.openGroup("k", "iso", LABELS, SUBJECT).build();
        Follower live = new Follower();
        build.follow(0, live);
        build.running(clock.instant());
        build.stepStarted("iso", clock.instant());

        Follower dropped = new Follower();
        build.follow(0, dropped);
        assertEquals(List.of(1L, 2L, 3L), dropped.ids(), "the story so far, replayed");
        dropped.gone = true; // the client disconnects: it is dropped at the next event

        build.stepEnded("iso", clock.instant(), Duration.ofMillis(1500), 4096);
        Follower resumed = new Follower();
        build.follow(3, resumed); // reconnects with Last-Event-ID: 3
        board.finish(build, Optional.of(new IllegalStateException("xorriso failed: no space")));

        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), live.ids());
        assertEquals(List.of("queued", "running"), live.seen.subList(0, 2).stream().map(BuildEvent::state).toList());
        assertEquals("step-ended", live.seen.get(3).type());
        assertEquals(4096L, live.seen.get(3).bytes());
        assertEquals(1500L, live.seen.get(3).durationMs());
        BuildEvent last = live.seen.get(4);
        assertTrue(last.isFinal());
        assertEquals("failed", last.state());
        assertEquals("xorriso failed: no space", last.error());
        assertTrue(live.ended);
        assertEquals(List.of(4L, 5L), resumed.ids());
        assertEquals(live.seen.subList(3, 5), resumed.seen, "the same events, not copies of others");
        assertTrue(resumed.ended);
        assertEquals(List.of(1L, 2L, 3L), dropped.ids());

        Follower late = new Follower();
        build.follow(5, late);
        assertEquals(List.of(), late.seen);
        assertTrue(late.ended, "a finished build's stream ends at once after the replay");
    }

    @Test
    void theStatusShowsStepsTheErrorAndTheArtifactLinkOnlyOnceSucceeded() {
        TrackedBuild build = board.openGroup("k", "iso", LABELS, SUBJECT).build();
        BuildStatus queued = board.status(build);
        assertEquals("queued", queued.state());
        assertNull(queued.links().get("artifact"));
        build.running(clock.instant());
        build.stepStarted("iso", clock.instant());
        assertEquals("iso", board.status(build).currentStep());
        build.stepEnded("iso", clock.instant(), Duration.ofSeconds(2), 10);
        board.finish(build, Optional.empty());
        BuildStatus done = board.status(build);
        assertEquals("succeeded", done.state());
        assertNull(done.currentStep());
        assertEquals(List.of("iso"), done.steps().stream().map(BuildStatus.FinishedStep::name).toList());
        assertEquals("/image/" + "a".repeat(64) + "/v1.11.0/metal-amd64.iso", done.links().get("artifact"));
        assertNull(done.error());
    }

    @Test
    void aStepThatTellsHowFarItIsAddsOneEventPerWholePercentAndTheStatusShowsIt() {
        TrackedBuild build = board.openGroup("k", "disk-compression", LABELS, SUBJECT).build();
        build.stepAdvanced("disk-compression", clock.instant(), 10, 1000); // not started: nothing
        build.stepStarted("disk-compression", clock.instant());
        for (long done : new long[] {0, 5, 10, 14, 500, 499, 1000, 1200}) {
            build.stepAdvanced("disk-compression", clock.instant(), done, 1000);
        }
        List<BuildEvent> progress = build.events().stream().filter(e -> e.type().equals("step-progress")).toList();
        assertEquals(List.of(0, 1, 50, 100), progress.stream().map(BuildEvent::percent).toList());
        assertEquals(List.of(0L, 10L, 500L, 1000L), progress.stream().map(BuildEvent::bytes).toList(),
                "done, never past the total");
        assertEquals(1000L, progress.get(0).total());
        assertEquals(100, board.status(build).currentStepPercent());
        build.stepEnded("disk-compression", clock.instant(), Duration.ofSeconds(1), 77);
        assertNull(board.status(build).currentStepPercent());
        assertEquals("step-ended", build.events().get(build.events().size() - 1).type());
    }

    @Test
    void finishedBuildsStayListedForTheConfiguredTimeThenGo() {
        TrackedBuild old = board.openGroup("old", "iso", LABELS, SUBJECT).build();
        board.finish(old, Optional.empty());
        TrackedBuild running = board.openGroup("running", "iso", LABELS, SUBJECT).build();
        clock.advance(Duration.ofMinutes(9));
        assertTrue(board.get(old.id()).isPresent());
        clock.advance(Duration.ofMinutes(2));
        assertTrue(board.get(old.id()).isEmpty(), "finished 11 minutes ago, kept 10");
        assertTrue(board.get(running.id()).isPresent(), "running builds are never dropped");
        assertEquals(List.of(running), board.list(Optional.of("a".repeat(64)), 10));
        assertEquals(List.of(), board.list(Optional.of("b".repeat(64)), 10), "filtered by schematic");
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
