package io.ringhook.sip;

import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import javax.sip.ListeningPoint;
import javax.sip.SipFactory;
import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The guarded NIO transport sending to TCP peers it holds no connection to (a BYE to a caller's
 * Contact): each request is written on the connection it opens, none is lost to the RI's socket swap.
 */
class GuardedTcpOutboundTest {
  private SipStack stack;

  @AfterEach
  void tearDown() {
    if (stack != null) {
      stack.stop();
    }
  }

  @Test
  void everyRequestToATcpPeerWithoutAConnectionIsWrittenOnTheOneItOpens() throws Exception {
    SipFactory sip = SipFactory.getInstance();
    sip.setPathName("gov.nist");
    SipProvider provider = start(sip);
    MessageFactory messages = sip.createMessageFactory();
    HeaderFactory headers = sip.createHeaderFactory();
    AddressFactory addresses = sip.createAddressFactory();
    int ourPort = provider.getListeningPoint(ListeningPoint.TCP).getPort();
    for (int i = 0; i < 20; i++) {
      try (ServerSocket peer = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        peer.setSoTimeout(5000);
        SipURI to = addresses.createSipURI("peer", "127.0.0.1");
        to.setPort(peer.getLocalPort());
        to.setTransportParam("tcp");
        Request options = messages.createRequest(to, Request.OPTIONS,
            headers.createCallIdHeader("outbound-" + i + "@127.0.0.1"), headers.createCSeqHeader(1L, Request.OPTIONS),
            headers.createFromHeader(addresses.createAddress("sip:ringhook@127.0.0.1"), "tag" + i),
            headers.createToHeader(addresses.createAddress(to), null),
            List.of(headers.createViaHeader("127.0.0.1", ourPort, "tcp", "z9hG4bK-outbound-" + i)),
            headers.createMaxForwardsHeader(70));
        provider.sendRequest(options);
        try (Socket connection = peer.accept()) {
          connection.setSoTimeout(5000);
          String got = readHead(connection.getInputStream());
          assertTrue(got.startsWith("OPTIONS sip:peer@127.0.0.1:" + peer.getLocalPort()),
              "request " + i + " on the connection it opened: " + got);
        }
      }
    }
  }

  private SipProvider start(SipFactory sip) throws Exception {
    // The RI needs a real TCP port: try ports below the ephemeral range until one is free.
    for (int attempt = 1; ; attempt++) {
      Properties p = new Properties();
      p.setProperty("javax.sip.STACK_NAME", "outbound-test-" + attempt + "-" + System.nanoTime());
      p.setProperty("gov.nist.javax.sip.STACK_LOGGER", Slf4jStackLogger.class.getName());
      p.setProperty("gov.nist.javax.sip.SERVER_LOGGER", Slf4jServerLogger.class.getName());
      p.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", NioMessageProcessorFactory.class.getName());
      stack = sip.createSipStack(p);
      TcpGuard guard = new TcpGuard(TcpLimits.DEFAULTS, new TrunkAcl(List.of()), System::nanoTime);
      ((SIPTransactionStack) stack).setMessageProcessorFactory(new GuardedTcpProcessor.Factory(guard, System::nanoTime));
      try {
        int port = ThreadLocalRandom.current().nextInt(20000, 30000);
        return stack.createSipProvider(stack.createListeningPoint("127.0.0.1", port, ListeningPoint.TCP));
      } catch (Exception e) {
        stack.stop();
        stack = null;
        if (attempt == 10) {
          throw e;
        }
      }
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.UTF_8).contains("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.UTF_8);
  }
}
