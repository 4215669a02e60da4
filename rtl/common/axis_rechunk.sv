// Byte realigner, one beat per clock. Input beats carry in_bytes_i valid leading bytes
// (0..16; byte 0 in in_data_i[7:0]); the bytes of consecutive beats form one byte stream.
// The consumer asks for the next chunk of out_size_i bytes (0..16): out_valid_o is 1 when that
// many bytes are buffered, and the chunk (byte 0 in out_data_o[7:0], bytes past out_size_i zero)
// is taken when out_ready_i is 1. The buffer holds 32 bytes; an input beat is accepted in the
// same cycle as a chunk leaves (in_ready_o depends on out_ready_i and out_size_i).
module axis_rechunk (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         in_valid_i,
  output logic         in_ready_o,
  input  logic [127:0] in_data_i,
  input  logic [4:0]   in_bytes_i,
  input  logic [4:0]   out_size_i,
  output logic         out_valid_o,
  input  logic         out_ready_i,
  output logic [127:0] out_data_o
);
  logic [255:0] buf_q, buf_d, buf_after;
  logic [5:0]   cnt_q, cnt_d, cnt_after;
  logic         take;
  logic [127:0] keep_mask;

  assign out_valid_o = (cnt_q >= {1'b0, out_size_i});
  assign take        = out_valid_o && out_ready_i;
  assign buf_after   = take ? (buf_q >> {out_size_i, 3'b000}) : buf_q;
  assign cnt_after   = take ? (cnt_q - {1'b0, out_size_i}) : cnt_q;
  assign in_ready_o  = (cnt_after <= 6'd16);
  assign keep_mask   = (out_size_i >= 5'd16) ? {128{1'b1}} : ~({128{1'b1}} << {out_size_i[3:0], 3'b000});
  assign out_data_o  = buf_q[127:0] & keep_mask;

  always_comb begin
    buf_d = buf_after;
    cnt_d = cnt_after;
    if (in_valid_i && in_ready_o) begin
      buf_d = buf_after | ({128'h0, in_data_i & in_mask(in_bytes_i)} << {cnt_after[4:0], 3'b000});
      cnt_d = cnt_after + {1'b0, in_bytes_i};
    end
  end

  function automatic logic [127:0] in_mask(input logic [4:0] n);
    in_mask = (n >= 5'd16) ? {128{1'b1}} : ~({128{1'b1}} << {n[3:0], 3'b000});
  endfunction

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      buf_q <= '0;
      cnt_q <= '0;
    end else begin
      buf_q <= buf_d;
      cnt_q <= cnt_d;
    end
  end
endmodule
