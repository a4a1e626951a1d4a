package io.ringhook.sip;

/** Who ended a call, as call records store it ({@link #value()}). */
public enum EndedBy {
  /** The caller hung up, cancelled, or sent BYE. */
  CALLER("caller"),
  /** The agent closed its connection. */
  AGENT("agent"),
  /** ringhook ended it: a refusal, a timeout, a failure, or shutdown. */
  RINGHOOK("ringhook");

  private final String value;

  EndedBy(String value) {
    this.value = value;
  }

  /** The name in call records and the admin API. */
  public String value() {
    return value;
  }

  @Override
  public String toString() {
    return value;
  }
}
