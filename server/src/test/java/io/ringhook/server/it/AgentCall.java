package io.ringhook.server.it;

import static io.ringhook.server.it.AgentCalls.CALLER;
import static io.ringhook.server.it.AgentCalls.NUMBER;
import static io.ringhook.server.it.AgentCalls.WAIT;
import static io.ringhook.server.it.AgentCalls.agentNumber;

import io.ringhook.server.peers.BaresipPeer;

/**
 * A baresip call to a test agent through ringhook, answered and streaming: the set-up the agent
 * ITs share. Everything it starts is closed with {@code resources}.
 *
 * @param agent  the WebSocket agent the number is bridged to (connect timeout 5 s)
 * @param ring   the ringhook serving the number
 * @param caller the baresip that dialled it; its call is established
 * @param stream the agent's stream of the call; {@code start} has arrived
 */
record AgentCall(TestAgent agent, RingFixture ring, BaresipPeer caller, TestAgent.Stream stream) {

  static AgentCall established(Resources resources, String name) throws Exception {
    TestAgent agent = resources.add(TestAgent.start());
    RingFixture ring = resources.add(RingFixture.start(agentNumber(agent.url(), "5s")));
    BaresipPeer caller = resources.add(BaresipPeer.builder(name).user(CALLER).start());
    caller.dial(ring.uri(NUMBER));
    TestAgent.Stream stream = agent.awaitStream(WAIT);
    stream.await("start", WAIT);
    caller.awaitEvent("CALL_ESTABLISHED", WAIT);
    return new AgentCall(agent, ring, caller, stream);
  }
}
