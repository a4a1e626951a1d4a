package io.ringhook.sip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ringhook.sip.CallObserver.CallSummary;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CallStoryTest {
  private static final Instant T0 = Instant.parse("2026-12-06T10:00:00Z");
  private static final InboundCall CALL = new InboundCall("c1", "c1@sip", "carrier",
      new InetSocketAddress("192.0.2.7", 5060), "+12345678912", "+12345678913");

  @Test
  void theFirstOutcomeWinsButAnAnsweredCallLearnsHowItEnded() {
    CallStory story = new CallStory(CALL, T0);
    story.ringing(T0.plusMillis(1));
    story.answered(T0.plusMillis(2));
    story.outcome(Outcome.CONNECTED, "answered");
    story.outcome(Outcome.CONNECTED, "caller hung up");
    story.outcome(Outcome.NO_ACK, "no ACK for 200 OK");
    story.endedBy(EndedBy.CALLER);
    story.endedBy(EndedBy.AGENT);
    CallSummary s = story.summary(T0.plusSeconds(3));
    assertEquals(Outcome.CONNECTED, s.outcome());
    assertEquals("caller hung up", s.detail());
    assertEquals(200, s.finalStatus());
    assertEquals(EndedBy.CALLER, s.endedBy());
    assertEquals(Optional.of(T0.plusMillis(2)), s.answered());
  }

  @Test
  void anAbandonedCallSaysItsByeWentUnanswered() {
    CallStory story = new CallStory(CALL, T0);
    story.outcome(Outcome.CONNECTED, "server stopped");
    story.abandoned();
    assertEquals("server stopped (no answer to BYE before shutdown)", story.summary(T0).detail());
  }

  @Test
  void aRefusedInviteNeverRangAndCarriesItsOutcomesStatus() {
    CallSummary s = CallStory.refused(CALL, Outcome.NO_CODEC, "no common codec", T0);
    assertEquals(488, s.finalStatus());
    assertEquals(EndedBy.RINGHOOK, s.endedBy());
    assertTrue(s.ringing().isEmpty() && s.decided().isEmpty() && s.answered().isEmpty());
    assertEquals(T0, s.received());
    assertEquals(T0, s.ended());
  }

  @Test
  void aCallEndedBeforeAnyOutcomeIsCountedAsUnknown() {
    assertEquals(Outcome.UNKNOWN, new CallStory(CALL, T0).summary(T0).outcome());
  }
}
