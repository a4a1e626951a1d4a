package io.ringhook.server.records;

import java.util.List;
import java.util.Optional;

/**
 * Where call records and run-time number settings live: an SQLite file or a PostgreSQL database,
 * its schema created and migrated at start-up. Every method blocks on the database: call it from a
 * records thread, never from a JAIN-SIP or Netty thread.
 */
public interface RecordStore extends AutoCloseable {

  /** Stores records (with their attempts) in one transaction; a record whose call id is already stored is skipped. */
  void insert(List<CallRecord> records) throws StoreException;

  /** A page of records matching {@code query}, newest first. */
  CallPage calls(CallQuery query) throws StoreException;

  /** One record by ringhook's call id. */
  Optional<CallRecord> call(String callId) throws StoreException;

  /**
   * Claims up to {@code limit} post-call deliveries due by {@code now} (see {@link CallEndedDelivery}):
   * each is leased until {@code leaseUntil}, when it is due again unless its attempt was recorded.
   *
   * @return the claimed calls' ids
   */
  List<String> claimDueDeliveries(java.time.Instant now, java.time.Instant leaseUntil, int limit)
      throws StoreException;

  /** Records one attempt of a call's post-call delivery and its new state ({@code nextAt} when pending). */
  void deliveryAttempted(String callId, io.ringhook.sip.CallDecision.Attempt attempt, CallEndedDelivery.State state,
                         Optional<java.time.Instant> nextAt) throws StoreException;

  /** Makes a call's post-call delivery pending again, due now; false when the call has none. */
  boolean redeliver(String callId) throws StoreException;

  /** Every number set through the API, by number. */
  List<NumberEntry> numbers() throws StoreException;

  /** One number's run-time settings. */
  Optional<NumberEntry> number(String e164) throws StoreException;

  /** Creates or replaces a number's run-time settings. */
  void putNumber(NumberEntry entry) throws StoreException;

  /** Removes a number's run-time settings; false when there were none. */
  boolean deleteNumber(String e164) throws StoreException;

  /** Whether the database answers now (for {@code /readyz}). */
  boolean ping();

  /** Releases the connections. */
  @Override
  void close();

  /** The database failed or could not be reached; the message says which and why, never a password. */
  final class StoreException extends Exception {
    public StoreException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
