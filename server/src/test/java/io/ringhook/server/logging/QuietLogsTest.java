package io.ringhook.server.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class QuietLogsTest {
  @Test
  void raisesTheNamedLoggersAndDescendantsWithALevelOfTheirOwnThenPutsTheLevelsBack() {
    Logger parent = (Logger) LoggerFactory.getLogger("quietlogs.test");
    Logger inheriting = (Logger) LoggerFactory.getLogger("quietlogs.test.Inheriting");
    Logger own = (Logger) LoggerFactory.getLogger("quietlogs.test.Own"); // e.g. RtpStream at INFO in a logback.xml
    Logger sibling = (Logger) LoggerFactory.getLogger("quietlogs.testing.Other");
    Logger off = (Logger) LoggerFactory.getLogger("quietlogs.test.Off");
    own.setLevel(Level.INFO);
    off.setLevel(Level.OFF);
    sibling.setLevel(Level.INFO);
    try (QuietLogs quiet = QuietLogs.of(List.of("quietlogs.test"))) {
      assertFalse(parent.isInfoEnabled());
      assertFalse(inheriting.isWarnEnabled());
      assertFalse(own.isInfoEnabled(), "a descendant's own level is raised too");
      assertEquals(Level.INFO, sibling.getLevel(), "a name that merely starts alike is left alone");
      assertEquals(Level.OFF, off.getLevel(), "never louder than it was");
    }
    assertNull(parent.getLevel(), "inherits again");
    assertNull(inheriting.getLevel());
    assertEquals(Level.INFO, own.getLevel());
    assertEquals(Level.OFF, off.getLevel());
  }
}
