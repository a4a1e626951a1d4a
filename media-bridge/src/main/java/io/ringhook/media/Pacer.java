package io.ringhook.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The outbound pacer: a queue of audio and marks, drained as one 20 ms RTP packet per slot of a
 * steady clock.
 *
 * <p>Slots are counted from {@link #start}'s time with the time the caller passes to {@link #tick},
 * so the cadence does not drift with late timer runs: a late run sends the slots it missed, up to
 * {@value #MAX_CATCH_UP} of them ({@link #MAX_LATENESS_MILLIS} ms). Latency stays bounded after a
 * stall (a GC pause, a starved CPU): when the run is later than that and the stall cut into
 * speech (the slot before it sent a packet), the audio of every missed slot but the current one
 * is dropped, counted in {@link #bytesStale}, and the stream goes on with the audio due now, so a
 * stall never adds lasting delay to the call and what the agent queued for after the stall plays
 * intact and on time. When nothing was playing (the call's first slots, a pause), the missed
 * slots are skipped and the queued audio starts late but whole: no utterance loses its start. The sequence number grows by one per
 * packet sent; the timestamp by 160 per slot, sent or not, so silence and dropped slots show as a
 * timestamp jump (RFC 3551 section 4.1). The marker bit is set on the first packet after a slot
 * that sent nothing (start, silence, underrun, hold, stall) and after {@link #clear}.
 *
 * <p>Audio may come in any length and either G.711 law; it is transcoded to the stream's codec as
 * the packet is built. A remainder shorter than a packet is held for one slot in case more audio
 * follows, then sent padded with silence; it is padded at once when a mark follows it (the agent
 * finished that utterance). A mark is reported when the audio queued before it has been sent, or
 * with {@code cleared} when {@link #clear} dropped it.
 *
 * <p>Owns the buffers it is given and releases them when sent, cleared or {@link #release}d. Not
 * thread-safe: it lives on the endpoint's event loop.
 */
final class Pacer {
  static final long PTIME_NANOS = 20_000_000L;
  /** At most one minute of audio may wait; an agent sending more is dropped, not buffered. */
  static final int MAX_QUEUED_BYTES = 8000 * 60;
  static final int MAX_QUEUED_ITEMS = 10_000;
  /** Missed slots a late run still sends; the audio of older ones is dropped as stale. */
  static final int MAX_CATCH_UP = 5;
  /** The most the pacer lets its audio fall behind the slot clock: {@value} ms. */
  static final long MAX_LATENESS_MILLIS = MAX_CATCH_UP * PTIME_NANOS / 1_000_000L;
  private static final int FRAME = AudioCodec.FRAME_BYTES;

  /** Where the pacer's results go. */
  interface Output {
    /** A complete RTP packet to send; the receiver owns (and must release or write) it. */
    void packet(ByteBuf rtp);

    /** A mark whose preceding audio has been sent ({@code cleared} false) or dropped. */
    void mark(String name, boolean cleared);
  }

  private sealed interface Item permits Audio, Mark {
  }

  private record Audio(ByteBuf buf, AudioCodec codec) implements Item {
  }

  private record Mark(String name) implements Item {
  }

  private final ByteBufAllocator alloc;
  private final long ssrc;
  private final Output output;
  private final ArrayDeque<Item> queue = new ArrayDeque<>();
  private AudioCodec codec = AudioCodec.PCMU;
  private int queuedBytes;
  private int sequence;
  private long timestamp;
  private boolean started;
  private long epochNanos;
  private long slot;
  private boolean sentLastSlot;
  private boolean spurtStart = true;
  private boolean partialWaiting;
  private boolean enqueuedSinceSlot;
  private long packetsSent;
  private long bytesDropped;
  private long slotsSkipped;
  private long bytesStale;
  /** Marks passed within one slot, reused: no allocation per slot. */
  private final List<String> passed = new ArrayList<>(2);

  Pacer(ByteBufAllocator alloc, int initialSequence, long initialTimestamp, long ssrc, Output output) {
    this.alloc = Objects.requireNonNull(alloc, "alloc");
    this.output = Objects.requireNonNull(output, "output");
    this.sequence = initialSequence & 0xFFFF;
    this.timestamp = initialTimestamp & 0xFFFFFFFFL;
    this.ssrc = ssrc & 0xFFFFFFFFL;
  }

  /** Starts the slot clock at {@code nowNanos}; the first slot is due one packet time later. */
  void start(long nowNanos, AudioCodec codec) {
    if (started) {
      throw new IllegalStateException("pacer already started");
    }
    this.codec = Objects.requireNonNull(codec, "codec");
    started = true;
    epochNanos = nowNanos;
    slot = 0;
  }

  /** Switches the outgoing encoding (a re-INVITE changed the codec); queued audio follows. */
  void codec(AudioCodec codec) {
    this.codec = Objects.requireNonNull(codec, "codec");
  }

  /**
   * Queues audio, taking ownership of {@code audio}.
   *
   * @return false when the queue is full and the audio was dropped (and released)
   */
  boolean enqueue(ByteBuf audio, AudioCodec encoding) {
    Objects.requireNonNull(encoding, "encoding");
    int n = audio.readableBytes();
    if (n == 0) {
      audio.release();
      return true;
    }
    if (queuedBytes + n > MAX_QUEUED_BYTES || queue.size() >= MAX_QUEUED_ITEMS) {
      bytesDropped += n;
      audio.release();
      return false;
    }
    queue.addLast(new Audio(audio, encoding));
    queuedBytes += n;
    enqueuedSinceSlot = true;
    return true;
  }

  /** Queues a mark behind the audio queued so far; false when the queue is full (mark dropped). */
  boolean mark(String name) {
    Objects.requireNonNull(name, "name");
    if (queue.size() >= MAX_QUEUED_ITEMS) {
      return false;
    }
    queue.addLast(new Mark(name));
    return true;
  }

  /** Drops all queued audio now (barge-in) and reports every queued mark as cleared, in order. */
  void clear() {
    List<String> marks = new ArrayList<>();
    Item item;
    while ((item = queue.pollFirst()) != null) {
      if (item instanceof Audio a) {
        a.buf().release();
      } else {
        marks.add(((Mark) item).name());
      }
    }
    queuedBytes = 0;
    partialWaiting = false;
    spurtStart = true;
    for (String name : marks) {
      output.mark(name, true);
    }
  }

  /** Releases all queued audio and forgets the marks, without reporting anything (on close). */
  void release() {
    Item item;
    while ((item = queue.pollFirst()) != null) {
      if (item instanceof Audio a) {
        a.buf().release();
      }
    }
    queuedBytes = 0;
  }

  /**
   * Runs every slot due by {@code nowNanos}.
   *
   * @param transmit false while our direction does not send (hold): audio is consumed at the same
   *                 pace and marks still pass, but nothing is sent
   */
  void tick(long nowNanos, boolean transmit) {
    if (!started) {
      return;
    }
    long due = (nowNanos - epochNanos) / PTIME_NANOS;
    long behind = due - slot;
    if (behind > MAX_CATCH_UP) {
      if (sentLastSlot) {
        dropStale(behind - 1); // the stall cut into speech: keep it on time
      } else {
        skipSilent(behind - 1); // nothing was playing: what is queued starts late but whole
      }
    }
    while (slot < due) {
      slot++;
      runSlot(transmit);
    }
  }

  int queuedBytes() {
    return queuedBytes;
  }

  long packetsSent() {
    return packetsSent;
  }

  long bytesDropped() {
    return bytesDropped;
  }

  long slotsSkipped() {
    return slotsSkipped;
  }

  /** Bytes of queued audio dropped because their slot had passed by more than the bound. */
  long bytesStale() {
    return bytesStale;
  }

  /** The sequence number the next packet will carry. */
  int nextSequence() {
    return sequence;
  }

  /** The timestamp of the next slot. */
  long nextTimestamp() {
    return timestamp;
  }

  /** Passes {@code slots} missed slots in which nothing was playing: no audio is consumed. */
  private void skipSilent(long slots) {
    slotsSkipped += slots;
    slot += slots;
    timestamp = (timestamp + slots * FRAME) & 0xFFFFFFFFL;
  }

  /**
   * Passes {@code slots} missed slots without sending: their audio is dropped as stale, the marks
   * among it are reported as played (the agent's timeline moved past them), timestamps advance.
   */
  private void dropStale(long slots) {
    slotsSkipped += slots;
    long n = slots;
    for (; n > 0 && !queue.isEmpty(); n--) {
      int before = queuedBytes;
      slot++;
      runSlot(false);
      bytesStale += before - queuedBytes;
    }
    slot += n;
    timestamp = (timestamp + n * FRAME) & 0xFFFFFFFFL;
    partialWaiting = false;
    sentLastSlot = false;
  }

  private void runSlot(boolean transmit) {
    takeHeadMarks(passed);
    reportMarks(passed); // nothing was queued before these: they are reached before this packet
    boolean send = false;
    if (queuedBytes >= FRAME) {
      send = true;
    } else if (queuedBytes > 0) {
      send = queue.peekLast() instanceof Mark || (partialWaiting && !enqueuedSinceSlot);
      partialWaiting = !send;
    }
    enqueuedSinceSlot = false;
    if (send) {
      partialWaiting = false;
      if (transmit) {
        ByteBuf packet = alloc.buffer(RtpCodec.HEADER_BYTES + FRAME);
        RtpCodec.writeHeader(packet, spurtStart || !sentLastSlot, codec.payloadType(), sequence,
            timestamp, ssrc);
        take(packet, passed);
        sequence = (sequence + 1) & 0xFFFF;
        packetsSent++;
        sentLastSlot = true;
        spurtStart = false;
        output.packet(packet);
      } else {
        take(null, passed);
        sentLastSlot = false;
      }
      takeHeadMarks(passed);
    } else {
      sentLastSlot = false;
    }
    timestamp = (timestamp + FRAME) & 0xFFFFFFFFL;
    reportMarks(passed);
  }

  private void reportMarks(List<String> names) {
    for (String name : names) {
      output.mark(name, false);
    }
    names.clear();
  }

  /** Moves one frame of audio into {@code target} (or drops it when null), padding with silence. */
  private void take(ByteBuf target, List<String> passed) {
    int need = FRAME;
    while (need > 0 && !queue.isEmpty()) {
      Item head = queue.peekFirst();
      if (head instanceof Mark m) {
        queue.pollFirst();
        passed.add(m.name());
        continue;
      }
      Audio a = (Audio) head;
      int n = Math.min(need, a.buf().readableBytes());
      if (target == null) {
        a.buf().skipBytes(n);
      } else if (a.codec() == codec) {
        target.writeBytes(a.buf(), n);
      } else {
        for (int i = 0; i < n; i++) {
          target.writeByte(a.codec().transcode(a.buf().readByte(), codec));
        }
      }
      need -= n;
      queuedBytes -= n;
      if (!a.buf().isReadable()) {
        queue.pollFirst();
        a.buf().release();
      }
    }
    if (target != null) {
      for (; need > 0; need--) {
        target.writeByte(codec.silence());
      }
    }
  }

  private void takeHeadMarks(List<String> passed) {
    while (queue.peekFirst() instanceof Mark m) {
      queue.pollFirst();
      passed.add(m.name());
    }
  }
}
