package io.ringhook.media.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.ringhook.media.G711;
import io.ringhook.media.agent.AgentMessages;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * JMH benchmark of the per-packet media work, one 20 ms frame (160 samples) at a time: G.711
 * decode, encode and PCMU⇄PCMA transcoding, RTP decode and encode, and the agent protocol's
 * {@code media} messages (JSON with base64 audio) both ways.
 *
 * <p>{@code RtpCodec} and {@code RtpPacket} are package-private; method handles in static finals
 * reach them once, and the JIT treats those as constants. Run with
 * {@code sipp-scenarios/bench/jmh.sh media-bridge}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class MediaBench {

  static final int FRAME = 160;

  private static final MethodHandle DECODE;
  private static final MethodHandle ENCODE;
  private static final MethodHandle PACKET;
  private static final MethodHandle MEDIA_FRAME;
  private static final MethodHandle FROM_AGENT_FRAME;

  static {
    try {
      ClassLoader cl = MediaBench.class.getClassLoader();
      Class<?> codec = Class.forName("io.ringhook.media.RtpCodec", true, cl);
      Class<?> decoded = Class.forName("io.ringhook.media.RtpCodec$Decoded", true, cl);
      Class<?> packet = Class.forName("io.ringhook.media.RtpPacket", true, cl);
      MethodHandles.Lookup l = MethodHandles.privateLookupIn(codec, MethodHandles.lookup());
      DECODE = l.findStatic(codec, "decode", MethodType.methodType(decoded, ByteBuf.class))
          .asType(MethodType.methodType(Object.class, ByteBuf.class));
      ENCODE = l.findStatic(codec, "encode", MethodType.methodType(ByteBuf.class, ByteBufAllocator.class, packet))
          .asType(MethodType.methodType(ByteBuf.class, ByteBufAllocator.class, Object.class));
      PACKET = l.findConstructor(packet, MethodType.methodType(void.class, boolean.class, int.class, int.class,
              long.class, long.class, byte[].class))
          .asType(MethodType.methodType(Object.class, boolean.class, int.class, int.class, long.class, long.class,
              byte[].class));
      Class<?> mediaJson = Class.forName("io.ringhook.media.agent.MediaJson", true, cl);
      MethodHandles.Lookup j = MethodHandles.privateLookupIn(mediaJson, MethodHandles.lookup());
      MEDIA_FRAME = j.findStatic(mediaJson, "media", MethodType.methodType(ByteBuf.class,
          ByteBufAllocator.class, long.class, String.class, String.class, long.class, long.class, byte[].class));
      FROM_AGENT_FRAME = j.findStatic(mediaJson, "fromAgent", MethodType.methodType(
          AgentMessages.FromAgent.class, ByteBuf.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final byte[] ulaw = new byte[FRAME];
  private final short[] linear = new short[FRAME];
  private final byte[] out = new byte[FRAME];
  private ByteBuf datagram;
  private Object packet;
  private String mediaJson;
  private ByteBuf mediaFrame;
  private AgentMessages.Media media;
  private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

  @Setup
  public void setup() throws Throwable {
    for (int i = 0; i < FRAME; i++) {
      // A 400 Hz tone at about -10 dBFS: every code path of the compander, not just silence.
      linear[i] = (short) (10000 * Math.sin(2 * Math.PI * 400 * i / 8000.0));
      ulaw[i] = G711.linearToUlaw(linear[i]);
    }
    packet = (Object) PACKET.invokeExact(false, 0, 4242, 123456L, 0x5EEDL, ulaw.clone());
    datagram = Unpooled.directBuffer(12 + FRAME);
    ByteBuf encoded = (ByteBuf) ENCODE.invokeExact((ByteBufAllocator) alloc, packet);
    datagram.writeBytes(encoded);
    encoded.release();
    media = new AgentMessages.Media(7, "MZ0123456789abcdef", AgentMessages.INBOUND, 5, 100, ulaw.clone());
    mediaJson = AgentMessages.encode(new AgentMessages.OutboundMedia("MZ0123456789abcdef", ulaw.clone()));
    // As the WebSocket decoder hands it over: a direct buffer holding the message's bytes.
    mediaFrame = Unpooled.directBuffer().writeBytes(mediaJson.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** One frame of μ-law to 16-bit linear PCM. */
  @Benchmark
  public short[] g711DecodeFrame() {
    short[] pcm = new short[FRAME];
    for (int i = 0; i < FRAME; i++) {
      pcm[i] = G711.ulawToLinear(ulaw[i]);
    }
    return pcm;
  }

  /** One frame of 16-bit linear PCM to μ-law. */
  @Benchmark
  public byte[] g711EncodeFrame() {
    for (int i = 0; i < FRAME; i++) {
      out[i] = G711.linearToUlaw(linear[i]);
    }
    return out;
  }

  /** One frame of PCMU to PCMA (a caller that negotiated PCMA, an agent that speaks μ-law). */
  @Benchmark
  public byte[] g711TranscodeFrame() {
    for (int i = 0; i < FRAME; i++) {
      out[i] = G711.ulawToAlaw(ulaw[i]);
    }
    return out;
  }

  /** One received datagram parsed into an RtpPacket (header fields and a payload copy). */
  @Benchmark
  public Object rtpDecode() throws Throwable {
    return (Object) DECODE.invokeExact(datagram);
  }

  /** One packet to send: pooled buffer, 12-byte header, payload; released as the channel would. */
  @Benchmark
  public int rtpEncode() throws Throwable {
    ByteBuf b = (ByteBuf) ENCODE.invokeExact((ByteBufAllocator) alloc, packet);
    int n = b.readableBytes();
    b.release();
    return n;
  }

  /**
   * The caller's frame as the agent protocol's {@code media} message through the tree codec (the
   * way every frame went before the template): JSON text with base64 audio, as a String.
   */
  @Benchmark
  public String agentMediaEncode() {
    return AgentMessages.encode(media);
  }

  /**
   * The same message as ringhook now writes each frame: the template with base64 straight into a
   * pooled buffer (released here as the channel would after writing it).
   */
  @Benchmark
  public int agentMediaEncodeFrame() throws Throwable {
    ByteBuf b = (ByteBuf) MEDIA_FRAME.invokeExact((ByteBufAllocator) alloc, 7L, "MZ0123456789abcdef",
        AgentMessages.INBOUND, 5L, 100L, ulaw);
    int n = b.readableBytes();
    b.release();
    return n;
  }

  /** The agent's {@code media} message read back to raw μ-law through the tree codec, from a String. */
  @Benchmark
  public Object agentMediaDecode() throws Exception {
    return AgentMessages.decodeFromAgent(mediaJson);
  }

  /**
   * The agent's {@code media} message as ringhook now reads each one: the streaming parser over
   * the frame's bytes, base64 decoded from the parser's buffer (the tree way also needed the
   * message as a String: {@code mediaFrame.toString(UTF_8)}, not counted above).
   */
  @Benchmark
  public Object agentMediaDecodeFrame() throws Throwable {
    return (AgentMessages.FromAgent) FROM_AGENT_FRAME.invokeExact(mediaFrame);
  }
}
