package io.ringhook.sipp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * A SIPp scenario file read the way SIPp reads it: its elements in order, each with the message
 * index SIPp gives it (send, recv, pause and nop count; label and the statistics elements do not),
 * and each sent message split into start line, headers and body.
 */
final class Scenario {

  /** Elements SIPp counts as scenario messages, in the order it runs them. */
  static final List<String> MESSAGE_ELEMENTS = List.of("send", "recv", "pause", "nop");
  /** Other elements that may appear at the top level. */
  static final List<String> OTHER_ELEMENTS =
      List.of("label", "ResponseTimeRepartition", "CallLengthRepartition", "Reference");

  private static final Pattern BRANCH = Pattern.compile("branch=\\[branch(?:-(\\d+))?]");
  private static final Pattern KEYWORD = Pattern.compile("\\[([A-Za-z_$][^\\]\\s]*)]");

  final String fileName;
  final Element root;
  final List<Step> steps;

  private Scenario(String fileName, Element root, List<Step> steps) {
    this.fileName = fileName;
    this.root = root;
    this.steps = steps;
  }

  /** One scenario message: its SIPp index, element and, for a send, the parsed message. */
  record Step(int index, Element element, Message message) {
    String kind() {
      return element.getTagName();
    }

    String attr(String name) {
      return element.getAttribute(name);
    }

    boolean optional() {
      return "true".equals(attr("optional"));
    }

    /** "send INVITE", "send 200", "recv 180", "recv 100?" (optional), "recv BYE"; null for pause and nop. */
    String label() {
      return switch (kind()) {
        case "send" -> "send " + message.methodOrStatus();
        case "recv" -> "recv " + (attr("response").isEmpty() ? attr("request") : attr("response"))
            + (optional() ? "?" : "");
        default -> null;
      };
    }
  }

  /** A message to send, with SIPp's per-line indentation removed. */
  record Message(String startLine, Map<String, String> headers, List<String> body) {
    boolean isRequest() {
      return !startLine.startsWith("SIP/2.0 ");
    }

    String methodOrStatus() {
      String[] parts = startLine.split(" ");
      return isRequest() ? parts[0] : parts[1];
    }

    String requestUri() {
      return startLine.split(" ")[1];
    }

    /** The header value by name (case-insensitive), or empty. */
    Optional<String> header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(Map.Entry::getValue).findFirst();
    }

    /** The CSeq number, or -1 when there is no CSeq header. */
    int cseqNumber() {
      return header("CSeq").map(v -> Integer.parseInt(v.trim().split("\\s+")[0])).orElse(-1);
    }

    /** N of branch=[branch-N]: 0 for [branch]; empty when the Via has no SIPp branch. */
    Optional<Integer> branchOffset() {
      return header("Via").map(BRANCH::matcher).filter(Matcher::find)
          .map(m -> m.group(1) == null ? 0 : Integer.parseInt(m.group(1)));
    }

    /** Bare "[keyword]" lines such as [routes] or [last_Via:] that SIPp expands to whole headers. */
    boolean hasLine(String line) {
      return headers.containsKey(line);
    }
  }

  static Scenario read(Path file) throws IOException {
    Document doc;
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      // The DOCTYPE names sipp.dtd, which is not here: read the XML without fetching it.
      f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
      f.setFeature("http://xml.org/sax/features/external-general-entities", false);
      f.setCoalescing(true);
      DocumentBuilder b = f.newDocumentBuilder();
      b.setErrorHandler(null);
      doc = b.parse(Files.newInputStream(file));
    } catch (ParserConfigurationException | SAXException e) {
      throw new IOException(file.getFileName() + " is not well-formed XML: " + e.getMessage(), e);
    }
    Element root = doc.getDocumentElement();
    List<Step> steps = new ArrayList<>();
    int index = 0;
    for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && MESSAGE_ELEMENTS.contains(e.getTagName())) {
        Message m = e.getTagName().equals("send") ? parseMessage(e.getTextContent()) : null;
        steps.add(new Step(index++, e, m));
      }
    }
    return new Scenario(file.getFileName().toString(), root, steps);
  }

  /** SIPp strips each line's leading blanks; the first empty line after the start line ends the headers. */
  static Message parseMessage(String cdata) {
    List<String> lines = Arrays.stream(cdata.split("\r?\n", -1)).map(String::strip).toList();
    int i = 0;
    while (i < lines.size() && lines.get(i).isEmpty()) {
      i++;
    }
    if (i == lines.size()) {
      return new Message("", Map.of(), List.of());
    }
    String start = lines.get(i++);
    Map<String, String> headers = new LinkedHashMap<>();
    for (; i < lines.size() && !lines.get(i).isEmpty(); i++) {
      String line = lines.get(i);
      int colon = line.indexOf(':');
      if (line.startsWith("[")) {
        headers.put(line, "");
      } else if (colon > 0) {
        headers.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      } else {
        headers.put(line, "");
      }
    }
    List<String> body = new ArrayList<>(lines.subList(Math.min(i + 1, lines.size()), lines.size()));
    while (!body.isEmpty() && body.get(body.size() - 1).isEmpty()) {
      body.remove(body.size() - 1);
    }
    return new Message(start, headers, body);
  }

  /** The labels of sends and recvs in order, as {@link Step#label()}. */
  List<String> sequence() {
    return steps.stream().map(Step::label).filter(l -> l != null).toList();
  }

  /** The steps of one kind ("send", "nop", ...). */
  List<Step> steps(String kind) {
    return steps.stream().filter(s -> s.kind().equals(kind)).toList();
  }

  /** The first sent request with this method. */
  Optional<Step> firstSent(String method) {
    return steps("send").stream()
        .filter(s -> s.message().isRequest() && s.message().methodOrStatus().equals(method)).findFirst();
  }

  /** Every [keyword] used in the sent messages. */
  List<String> keywords() {
    List<String> out = new ArrayList<>();
    for (Step s : steps("send")) {
      Matcher m = KEYWORD.matcher(s.element().getTextContent());
      while (m.find()) {
        out.add(m.group(1));
      }
    }
    return out;
  }

  /** Elements anywhere below the root with this tag name, e.g. "exec" or "ereg". */
  List<Element> all(String tag) {
    List<Element> out = new ArrayList<>();
    var nodes = root.getElementsByTagName(tag);
    for (int i = 0; i < nodes.getLength(); i++) {
      out.add((Element) nodes.item(i));
    }
    return out;
  }
}
