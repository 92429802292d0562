"""Sample Vietnamese texts for the duplicate tests."""

RESOLUTION = (
    "Nghị quyết về đột phá phát triển khoa học công nghệ đổi mới sáng tạo và "
    "chuyển đổi số quốc gia. Ban Chấp hành Đảng bộ tỉnh thống nhất chủ trương "
    "tăng cường lãnh đạo chỉ đạo các cấp ủy tổ chức đảng chính quyền mặt trận "
    "tổ quốc và các đoàn thể chính trị xã hội trong việc quán triệt triển khai "
    "thực hiện nghị quyết. Mục tiêu đến năm hai nghìn không trăm ba mươi tiềm "
    "lực trình độ khoa học công nghệ đổi mới sáng tạo đạt mức tiên tiến trong "
    "nhiều lĩnh vực quan trọng thuộc nhóm dẫn đầu trong các nước có thu nhập "
    "trung bình cao. Nhiệm vụ và giải pháp chủ yếu gồm nâng cao nhận thức đột "
    "phá về đổi mới tư duy quyết tâm chính trị mạnh mẽ lãnh đạo chỉ đạo quyết "
    "liệt tạo xung lực mới khí thế mới trong toàn xã hội. Khẩn trương hoàn "
    "thiện thể chế xóa bỏ mọi tư tưởng quan niệm rào cản đang cản trở sự phát "
    "triển biến thể chế thành lợi thế cạnh tranh. Tăng cường đầu tư hoàn thiện "
    "hạ tầng cho khoa học công nghệ đổi mới sáng tạo và chuyển đổi số. Phát "
    "triển sử dụng nhân lực chất lượng cao nhân tài đáp ứng yêu cầu phát triển "
    "khoa học công nghệ. Đẩy mạnh chuyển đổi số ứng dụng khoa học công nghệ "
    "trong hoạt động của các cơ quan trong hệ thống chính trị nâng cao hiệu "
    "quả quản trị quốc gia hiệu lực quản lý nhà nước trên các lĩnh vực bảo đảm "
    "quốc phòng an ninh. Các cấp ủy đảng xây dựng chương trình kế hoạch hành "
    "động cụ thể phân công rõ người rõ việc rõ thời gian rõ trách nhiệm rõ sản "
    "phẩm rõ thẩm quyền và thường xuyên kiểm tra đôn đốc việc thực hiện."
)

# The same resolution with a few words changed (an OCR of another copy).
RESOLUTION_RESCANNED = (
    RESOLUTION.replace("Mục tiêu", "Mục tieu")
    .replace("quyết tâm", "quyết tam")
    .replace("nhân tài", "nhan tài")
)

MINUTES = (
    "Biên bản họp chi bộ thường kỳ tháng ba. Thời gian bắt đầu lúc tám giờ "
    "sáng tại hội trường nhà văn hóa thôn. Thành phần tham dự gồm đồng chí bí "
    "thư chi bộ chủ trì cùng các đảng viên trong chi bộ vắng mặt hai đồng chí "
    "có lý do. Nội dung cuộc họp đánh giá tình hình thực hiện nhiệm vụ tháng "
    "hai về thu đảng phí công tác phát triển đảng viên mới giữ gìn vệ sinh môi "
    "trường làm đường giao thông nông thôn. Các ý kiến phát biểu thống nhất "
    "với báo cáo đề nghị tăng cường tuyên truyền vận động nhân dân tham gia "
    "hiến đất mở rộng đường liên thôn và chăm sóc cây trồng vụ xuân. Cuộc họp "
    "kết thúc lúc mười giờ cùng ngày biên bản đã được thông qua."
)
